using System.Diagnostics;
using SingleCell.Models.Benchmarks.Exceiver;
using SingleCell.Models.Benchmarks.Gears;
using SingleCell.Models.Exceiver;
using SingleCell.Models.Training;

namespace SingleCell.Models.Benchmarks;

/// <summary>
/// Wall time of single training steps (forward, loss, backward, clipping, optimiser step) of the GEARS and Exceiver
/// epoch benchmarks' models, to set beside the TorchSharp peers' per-step figures (benchmarks/torchsharp/). Trains
/// EPOCHS epochs with the epoch benchmark's setup and options; a step's time is the gap between the trainer's
/// progress reports of consecutive steps of an epoch (so the validation pass and the epoch start are not in it; the
/// first step of each epoch has no predecessor and is not counted); the first SKIP timed steps are warm-up.
/// Prints the steps per epoch and the median, 10th and 25th percentile and minimum step. Also the sVAE epoch
/// benchmark's model on either shape (<c>svae-narrow</c>, <c>svae-wide</c>).
/// </summary>
internal static class StepLoop
{
    private sealed class Recorder : IProgress<TrainingProgress>
    {
        public readonly List<double> Steps = [];
        public readonly List<long> Allocated = [];
        public int StepsPerEpoch;
        private TimeSpan? _last;
        private long _lastBytes;

        public void Report(TrainingProgress p)
        {
            StepsPerEpoch = p.StepsPerEpoch;
            if (p.EndOfEpoch) { _last = null; return; }
            long bytes = GC.GetAllocatedBytesForCurrentThread();
            if (_last is TimeSpan prev && p.Step > 0) { Steps.Add((p.Elapsed - prev).TotalSeconds); Allocated.Add(bytes - _lastBytes); }
            _last = p.Elapsed;
            _lastBytes = bytes;
        }
    }

    internal static void Run(string which, int epochs, int skip)
    {
        var recorder = new Recorder();
        var clock = Stopwatch.StartNew();
        TrainingHistory history;
        switch (which)
        {
            case "gears":
            {
                var bench = new GearsEpochBenchmarks();
                bench.Setup();
                Console.WriteLine(FormattableString.Invariant($"setup {clock.Elapsed.TotalSeconds:F1} s"));
                history = bench.Model.Fit(new TrainerOptions { MaxEpochs = epochs }, recorder);
                break;
            }
            case "exceiver-exclude" or "exceiver-additive":
            {
                var bench = new ExceiverEpochBenchmarks { Mask = which.EndsWith("additive", StringComparison.Ordinal) ? KeyPadding.Additive : KeyPadding.Exclude };
                bench.Setup();
                Console.WriteLine(FormattableString.Invariant($"setup {clock.Elapsed.TotalSeconds:F1} s"));
                var (model, options) = bench.Built;
                history = model.Fit(options with { MaxEpochs = epochs }, recorder);
                break;
            }
            case "svae-narrow" or "svae-wide":
            {
                var bench = new Svae.SvaeEpochBenchmarks { Shape = which == "svae-wide" ? "10000x2000" : "25000x100" };
                bench.Setup();
                Console.WriteLine(FormattableString.Invariant($"setup {clock.Elapsed.TotalSeconds:F1} s"));
                history = bench.Fit(epochs, recorder);
                break;
            }
            default:
                throw new ArgumentException($"step-loop: unknown model '{which}' (gears, exceiver-exclude, exceiver-additive, svae-narrow, svae-wide)");
        }
        var timed = recorder.Steps.Skip(skip).ToList();
        Console.WriteLine(FormattableString.Invariant(
            $"steps (s): {string.Join(' ', timed.Select(t => t.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}"));
        if (timed.Count == 0) throw new InvalidOperationException($"step-loop: {recorder.Steps.Count} steps recorded, none left after skipping {skip}");
        var allocated = recorder.Allocated.Skip(skip).Order().ToList();
        timed.Sort();
        // The lower percentiles are the steps no other job interrupted: on a shared machine, the closest to quiet figures.
        Console.WriteLine(FormattableString.Invariant(
            $"{which}: steps_per_epoch={recorder.StepsPerEpoch} timed_steps={timed.Count} step_s_median={timed[timed.Count / 2]:F5} step_s_p10={timed[timed.Count / 10]:F5} step_s_p25={timed[timed.Count / 4]:F5} step_s_min={timed[0]:F5} alloc_mb_median={allocated[allocated.Count / 2] / 1048576.0:F2} gen2={GC.CollectionCount(2)} total_s={clock.Elapsed.TotalSeconds:F1} last_loss_train={history.Last("loss_train"):R}"));
    }
}
