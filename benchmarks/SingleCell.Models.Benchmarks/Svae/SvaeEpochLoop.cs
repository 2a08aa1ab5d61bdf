using System.Diagnostics;
using SingleCell.Models.Svae;
using SingleCell.Models.Training;

namespace SingleCell.Models.Benchmarks.Svae;

/// <summary>
/// A plain Stopwatch loop over the epochs of <see cref="SvaeEpochBenchmarks"/>, for profiling
/// (<c>dotnet-trace collect -- dotnet SingleCell.Models.Benchmarks.dll svae-loop 10000x2000 6</c>) and for quick
/// side-by-side runs without BenchmarkDotNet's out-of-process build. Prints one line per epoch, then the
/// median of the epochs after the first. The process CPU time beside each epoch (both threads, spin-waits
/// included) is a steadier measure of the work than the wall time when other jobs share the cores.
/// </summary>
internal static class SvaeEpochLoop
{
    internal static void Run(string shape, int epochs)
    {
        var bench = new SvaeEpochBenchmarks { Shape = shape };
        bench.Setup();
        var times = new List<double>();
        for (int e = 0; e < epochs; e++)
        {
            long alloc0 = GC.GetTotalAllocatedBytes(precise: false);
            int gc0 = GC.CollectionCount(0), gc2 = GC.CollectionCount(2);
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            double loss = bench.Epoch();
            sw.Stop();
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            long alloc = GC.GetTotalAllocatedBytes(precise: false) - alloc0;
            Console.WriteLine(FormattableString.Invariant(
                $"epoch {e + 1}: {sw.Elapsed.TotalSeconds:F3} s (process CPU {cpu:F3} s), loss {loss:F2}, allocated {alloc / 1e6:F1} MB, gen0 {GC.CollectionCount(0) - gc0}, gen2 {GC.CollectionCount(2) - gc2}"));
            if (e > 0) times.Add(sw.Elapsed.TotalSeconds);
        }
        if (times.Count > 0)
        {
            times.Sort();
            Console.WriteLine(FormattableString.Invariant($"{shape}: median of epochs 2..{epochs}: {times[times.Count / 2]:F3} s (min {times[0]:F3}, max {times[^1]:F3})"));
        }
    }
}
