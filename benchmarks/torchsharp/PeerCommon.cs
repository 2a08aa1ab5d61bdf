// Shared by the TorchSharp peers (compiled into each; see Directory.Build.props): command-line flags and the
// step-timing loop, so that both peers parse and time the same way.
using System.Diagnostics;
using System.Globalization;

internal static class PeerCommon
{
    /// <summary>
    /// Walks "--flag value" and "--flag=value" arguments, calling <paramref name="apply"/>(flag, value) for each; calling
    /// value() reads the flag's value (the next argument when it is not written after '=').
    /// </summary>
    internal static void ForEachFlag(string[] argv, Action<string, Func<string>> apply)
    {
        for (int i = 0; i < argv.Length; i++)
        {
            string flag = argv[i], inline = "";
            int eq = flag.IndexOf('=');
            if (eq > 0) { inline = flag[(eq + 1)..]; flag = flag[..eq]; }
            apply(flag, () => eq > 0 ? inline : i + 1 < argv.Length ? argv[++i] : throw new ArgumentException($"{flag} needs a value"));
        }
    }

    internal static int Int(Func<string> value) => int.Parse(value(), CultureInfo.InvariantCulture);

    internal static long Long(Func<string> value) => long.Parse(value(), CultureInfo.InvariantCulture);

    internal static double Double(Func<string> value) => double.Parse(value(), CultureInfo.InvariantCulture);

    /// <summary>
    /// Runs <paramref name="warmup"/> + <paramref name="steps"/> training steps (<paramref name="step"/> gets whether it
    /// is the last), reports warm-up steps on stderr, and returns the wall times of the timed ones in order.
    /// </summary>
    internal static List<double> TimeSteps(int warmup, int steps, Action<bool> step)
    {
        var times = new List<double>();
        for (int s = 0; s < warmup + steps; s++)
        {
            var t0 = Stopwatch.StartNew();
            step(s == warmup + steps - 1);
            if (s >= warmup) times.Add(t0.Elapsed.TotalSeconds);
            else Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up step {s + 1}: {t0.Elapsed.TotalSeconds:F4} s"));
        }
        return times;
    }

    /// <summary>"steps=N step_s_median=… step_s_min=…" of the timed steps.</summary>
    internal static string Summary(List<double> times)
    {
        var sorted = times.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $"steps={times.Count} step_s_median={sorted[sorted.Count / 2]:F4} step_s_min={sorted[0]:F4}");
    }

    /// <summary>The timed steps, for stderr.</summary>
    internal static string List(List<double> times) => string.Join(' ', times.Select(t => t.ToString("F4", CultureInfo.InvariantCulture)));
}
