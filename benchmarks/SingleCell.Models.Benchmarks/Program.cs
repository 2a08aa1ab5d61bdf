// `svae-loop SHAPE EPOCHS` runs the sVAE epoch in a Stopwatch loop (profiling, quick side-by-side runs);
// `step-loop gears|exceiver-exclude|exceiver-additive|svae-narrow|svae-wide EPOCHS SKIP` times single training steps
// (TorchSharp side by side) and prints the allocation per step and the last training loss (for bitwise comparisons);
// `nb-micro GENES REPS` times the fused NB likelihood in float32 and double; `nb-parts REPS` and `gemm-parts REPS` time
// its vector pieces and the wide sVAE step's five large products (minimum of REPS); anything else goes to BenchmarkDotNet.
if (args.Length == 3 && args[0] == "svae-loop")
    SingleCell.Models.Benchmarks.Svae.SvaeEpochLoop.Run(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
else if (args.Length == 3 && args[0] == "nb-micro")
    SingleCell.Models.Benchmarks.Svae.StepProfile.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
else if (args.Length == 2 && args[0] == "nb-parts")
    SingleCell.Models.Benchmarks.Svae.NbParts.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
else if (args.Length == 2 && args[0] == "gemm-parts")
    SingleCell.Models.Benchmarks.Svae.GemmParts.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
else if (args.Length == 4 && args[0] == "step-loop")
    SingleCell.Models.Benchmarks.StepLoop.Run(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
else
    BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point of the benchmark suites.</summary>
public partial class Program {}
