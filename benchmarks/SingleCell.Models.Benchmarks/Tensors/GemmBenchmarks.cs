using System.Diagnostics;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Benchmarks.Tensors;

/// <summary>
/// OpenBLAS thread count, set before the first use of <see cref="OpenBlas"/> (kept outside it so that setting it
/// does not run OpenBlas's static constructor first).
/// </summary>
public static class OpenBlasOptions
{
    public static string Threads { get; set; } = "2";
}

/// <summary>OpenBLAS <c>cblas_sgemm</c>, loaded dynamically for comparison only (the library never references it).</summary>
public static unsafe class OpenBlas
{
    private static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPStr)] string name, [MarshalAs(UnmanagedType.LPStr)] string value, int overwrite);

    /// <summary>Why OpenBLAS is unavailable, or null when loaded.</summary>
    public static string? Missing { get; }

    static OpenBlas()
    {
        // Must be set in the native environment (Environment.SetEnvironmentVariable does not reach getenv on
        // Unix) before the library initialises its thread pool.
        foreach (var (key, value) in new[] { ("OPENBLAS_NUM_THREADS", OpenBlasOptions.Threads), ("OPENBLAS_CORETYPE", "SKYLAKEX") })
        {
            Environment.SetEnvironmentVariable(key, value);
            if (!OperatingSystem.IsWindows()) _ = SetEnv(key, value, 1);
        }
        if (NativeLibrary.TryLoad("libopenblas.so.0", out var h) && NativeLibrary.TryGetExport(h, "cblas_sgemm", out var f))
            _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)f;
        else
            Missing = "libopenblas.so.0 not found (apt-get install -y libopenblas0-pthread); OpenBLAS rows skipped.";
    }

    public static bool Available => Missing is null;

    /// <summary>Row-major sgemm with the same conventions as <see cref="Gemm.Multiply"/>.</summary>
    public static void Sgemm(bool ta, bool tb, int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c, int ldc, bool accumulate)
    {
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
            _sgemm(101 /* RowMajor */, ta ? 112 : 111, tb ? 112 : 111, m, n, k, 1f, pa, lda, pb, ldb, accumulate ? 1f : 0f, pc, ldc);
    }
}

/// <summary>A GEMM problem: C[m×n] = op(A)·op(B).</summary>
public sealed record GemmShape(string Name, bool TransA, bool TransB, int M, int N, int K)
{
    public override string ToString() => Name;
    public double Flops => 2.0 * M * N * K;
    public int Lda => TransA ? M : K;
    public int Ldb => TransB ? K : N;

    /// <summary>Square products plus, for each model layer y = x·Wᵀ (x: 128×in, W: out×in), forward and both backward products.</summary>
    public static IEnumerable<GemmShape> All()
    {
        yield return new("1024² NN", false, false, 1024, 1024, 1024);
        yield return new("2048² NN", false, false, 2048, 2048, 2048);
        foreach (var (inF, outF) in new[] { (100, 128), (2000, 128), (128, 2000) })
        {
            // Batch 128 implied; names kept ≤ 20 characters so BenchmarkDotNet does not truncate them.
            string l = $"{inF}→{outF}";
            yield return new($"{l} fwd x·Wᵀ", false, true, 128, outF, inF);
            yield return new($"{l} dW=dYᵀ·X", true, false, outF, inF, 128);
            yield return new($"{l} dX=dY·W", false, false, 128, inF, outF);
        }
    }
}

/// <summary>GEMM throughput vs OpenBLAS (2 threads each). GFLOP/s column derived from the mean time.</summary>
[Config(typeof(GemmConfig))]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    public static IEnumerable<GemmShape> Shapes => GemmShape.All();

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _a = new float[Shape.M * Shape.K]; _b = new float[Shape.K * Shape.N]; _c = new float[Shape.M * Shape.N];
        for (int i = 0; i < _a.Length; i++) _a[i] = (float)rng.NextDouble() - 0.5f;
        for (int i = 0; i < _b.Length; i++) _b[i] = (float)rng.NextDouble() - 0.5f;
        if (!OpenBlas.Available) Console.WriteLine(OpenBlas.Missing);
    }

    [Benchmark(Baseline = true)]
    public void OpenBLAS()
    {
        if (OpenBlas.Available) OpenBlas.Sgemm(Shape.TransA, Shape.TransB, Shape.M, Shape.N, Shape.K, _a, Shape.Lda, _b, Shape.Ldb, _c, Shape.N, false);
    }

    [Benchmark]
    public void Managed() => Gemm.Multiply(Shape.TransA, Shape.TransB, Shape.M, Shape.N, Shape.K, _a, Shape.Lda, _b, Shape.Ldb, _c, Shape.N, false);

    private sealed class GemmConfig : BenchmarkDotNet.Configs.ManualConfig
    {
        public GemmConfig() => AddColumn(new GflopsColumn());
    }

    private sealed class GflopsColumn : IColumn
    {
        public string Id => "GFLOPs";
        public string ColumnName => "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "2·m·n·k / mean time";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is null) return "NA";
            var shape = (GemmShape)benchmarkCase.Parameters["Shape"];
            return (shape.Flops / report.ResultStatistics.Mean).ToString("F1"); // flops per ns = GFLOP/s
        }
    }
}

/// <summary>Quick Stopwatch harness (for iteration on a noisy machine): interleaves managed and OpenBLAS runs, best-of.</summary>
public static class GemmQuick
{
    public static void Run(int reps = 7, double minSeconds = 0.05, long parallelThreshold = 0, int threads = 0)
    {
        if (threads > 0) { Gemm.MaxThreads = threads; OpenBlasOptions.Threads = threads.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        if (parallelThreshold > 0) Gemm.ParallelThreshold = parallelThreshold;
        Console.WriteLine(OpenBlas.Missing ?? $"OpenBLAS loaded (OPENBLAS_NUM_THREADS={OpenBlasOptions.Threads}, CORETYPE=SKYLAKEX); managed threads {Gemm.MaxThreads}");
        Console.WriteLine($"{"shape",-26} {"managed GF/s",13} {"OpenBLAS GF/s",14} {"ratio",7}");
        foreach (var s in GemmShape.All())
        {
            var rng = new Random(1);
            var a = new float[s.M * s.K]; var b = new float[s.K * s.N]; var c = new float[s.M * s.N];
            for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble() - 0.5f;
            for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble() - 0.5f;
            double bestM = double.MaxValue, bestO = double.MaxValue;
            for (int r = 0; r < reps; r++)
            {
                bestM = Math.Min(bestM, Time(() => Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, a, s.Lda, b, s.Ldb, c, s.N, false), minSeconds));
                if (OpenBlas.Available)
                    bestO = Math.Min(bestO, Time(() => OpenBlas.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, a, s.Lda, b, s.Ldb, c, s.N, false), minSeconds));
            }
            double gm = s.Flops / bestM / 1e9, go = OpenBlas.Available ? s.Flops / bestO / 1e9 : double.NaN;
            Console.WriteLine($"{s.Name,-26} {gm,13:F1} {go,14:F1} {gm / go,7:P0}");
        }
    }

    private static double Time(Action f, double minSeconds)
    {
        f();
        var sw = Stopwatch.StartNew();
        int iters = 0;
        do { f(); iters++; } while (sw.Elapsed.TotalSeconds < minSeconds);
        return sw.Elapsed.TotalSeconds / iters;
    }
}
