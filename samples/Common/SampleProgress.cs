using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace SingleCell.Models.Samples;

/// <summary>One bar of a <see cref="SampleProgress"/> view.</summary>
internal interface IProgressBar
{
    /// <summary>Sets the amount done, out of the bar's maximum.</summary>
    void Set(double value);

    /// <summary>Marks the bar finished.</summary>
    void Done();
}

/// <summary>
/// Progress of a sample's long steps, on stderr so that stdout stays clean for --json: a
/// Spectre.Console bar on a terminal, plain lines ("step: 40 % (12 s)") when stderr is
/// redirected, at most one line per bar every few seconds.
/// </summary>
internal static class SampleProgress
{
    /// <summary>Writes to stderr: Spectre markup on a terminal, plain text otherwise.</summary>
    public static IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Error) });

    /// <summary>Whether stderr is a terminal (bars) or redirected (lines).</summary>
    public static bool Interactive => !System.Console.IsErrorRedirected && Console.Profile.Capabilities.Interactive;

    /// <summary>Prints one line of information on stderr.</summary>
    public static void Info(string text)
    {
        if (Interactive) Console.MarkupLine($"[grey]{Markup.Escape(text)}[/]");
        else System.Console.Error.WriteLine(text);
    }

    /// <summary>Runs <paramref name="work"/>, which adds bars to the view and sets them.</summary>
    public static T Run<T>(Func<Func<string, double, IProgressBar>, T> work)
    {
        if (!Interactive)
            return work((name, max) => new LineBar(name, max));
        T result = default!;
        Console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => result = work((name, max) => new SpectreBar(ctx.AddTask(Markup.Escape(name), maxValue: Math.Max(max, 1e-9)))));
        return result;
    }

    /// <summary>A step with one bar.</summary>
    public static T Step<T>(string name, double max, Func<IProgressBar, T> work) =>
        Run(add =>
        {
            var bar = add(name, max);
            var r = work(bar);
            bar.Done();
            return r;
        });

    /// <summary>
    /// A step of unknown length: a spinner on a terminal; when redirected, a start line once it has run 2 s.
    /// Either way an end line ("done in") only for steps of 2 s or more, so a step that fails at once leaves
    /// nothing but the sample's one-line error.
    /// </summary>
    public static T Status<T>(string name, Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        T result;
        if (Interactive) result = Console.Status().Start(name, _ => work());
        else
        {
            var gate = new object();
            bool finished = false;
            using var timer = new Timer(_ =>
            {
                lock (gate) if (!finished) System.Console.Error.WriteLine($"{name} …");
            }, null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
            try { result = work(); }
            finally { lock (gate) finished = true; }
        }
        if (clock.Elapsed >= TimeSpan.FromSeconds(2))
            Info($"{name}: done in {clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s");
        return result;
    }

    /// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread (System.Progress posts to the thread pool).</summary>
    public static IProgress<T> Sync<T>(Action<T> report) => new SyncProgress<T>(report);

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private sealed class SpectreBar(ProgressTask task) : IProgressBar
    {
        public void Set(double value) => task.Value = Math.Min(value, task.MaxValue);

        public void Done() => task.Value = task.MaxValue;
    }

    /// <summary>Plain lines for a redirected stderr; quiet for steps that finish within 2 s.</summary>
    private sealed class LineBar(string name, double max) : IProgressBar
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _lastLine = TimeSpan.Zero;
        private bool _done, _spoke;

        public void Set(double value)
        {
            if (_done || _clock.Elapsed < TimeSpan.FromSeconds(2) || _clock.Elapsed - _lastLine < TimeSpan.FromSeconds(5)) return;
            _lastLine = _clock.Elapsed;
            _spoke = true;
            double pct = max > 0 ? 100 * Math.Min(value, max) / max : 0;
            System.Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {pct:F0} % ({_clock.Elapsed.TotalSeconds:F0} s)"));
        }

        public void Done()
        {
            if (_done) return;
            _done = true;
            if (_spoke || _clock.Elapsed >= TimeSpan.FromSeconds(2))
                System.Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: done in {_clock.Elapsed.TotalSeconds:F1} s"));
        }
    }
}
