using Spectre.Console;

namespace SingleCell.Models.Samples;

/// <summary>
/// Runs a sample's body with the shared conventions: --help prints the options and exits 0; a
/// usage error prints one line and exits 2; any other failure prints one line (the stack trace
/// only with --verbose) and exits 1; Ctrl+C stops at the next progress report and exits 130.
/// </summary>
internal static class SampleApp
{
    /// <summary>Cancelled by Ctrl+C.</summary>
    public static CancellationToken Cancellation => s_cts.Token;

    private static readonly CancellationTokenSource s_cts = new();

    public static int Run(SampleArgs spec, string[] args, Func<SampleArgs, int> body)
    {
        bool verbose = args.Contains("--verbose");
        try
        {
            spec.Parse(args);
            if (spec.HelpRequested)
            {
                Console.Out.Write(spec.Help());
                return 0;
            }
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; s_cts.Cancel(); };
            // Tables and markup on stdout: plain text when it is redirected to a file or a pipe (Spectre.Console
            // otherwise keeps writing ANSI escapes whenever TERM names a terminal).
            if (Console.IsOutputRedirected)
                AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(Console.Out),
                });
            return body(spec);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"{spec.Program}: {e.Message} (see --help)");
            return 2;
        }
        catch (OperationCanceledException) when (s_cts.IsCancellationRequested)
        {
            Console.Error.WriteLine($"{spec.Program}: stopped");
            return 130;
        }
        catch (Exception e) when (!verbose)
        {
            Console.Error.WriteLine($"{spec.Program}: error: {OneLine(e)} (--verbose shows the stack trace)");
            return 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{spec.Program}: error: {OneLine(e)}");
            Console.Error.WriteLine(e);
            return 1;
        }
    }

    /// <summary>The message of the innermost informative exception, on one line.</summary>
    public static string OneLine(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or TypeInitializationException or System.Reflection.TargetInvocationException && e.InnerException is not null)
            e = e.InnerException!;
        string kind = e switch
        {
            FileNotFoundException or DirectoryNotFoundException or InvalidDataException or FormatException or IOException or ArgumentException
                or InvalidOperationException or NotSupportedException or UnauthorizedAccessException => "",
            _ => e.GetType().Name + ": ",
        };
        return kind + string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
