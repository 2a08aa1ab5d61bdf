// `svae-loop SHAPE EPOCHS` runs the sVAE epoch in a Stopwatch loop (profiling, quick side-by-side runs);
// `step-loop gears|exceiver-exclude|exceiver-additive EPOCHS SKIP` times single training steps (TorchSharp side by side);
// `nb-micro GENES REPS` times the fused NB likelihood in float32 and double; anything else goes to BenchmarkDotNet.
if (args.Length == 3 && args[0] == "svae-loop")
    SingleCell.Models.Benchmarks.Svae.SvaeEpochLoop.Run(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
else if (args.Length == 3 && args[0] == "nb-micro")
    SingleCell.Models.Benchmarks.Svae.StepProfile.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
else if (args.Length == 4 && args[0] == "step-loop")
    SingleCell.Models.Benchmarks.StepLoop.Run(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
else
    BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point of the benchmark suites.</summary>
public partial class Program {}
