using BenchmarkDotNet.Attributes;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Benchmarks.Tensors;

/// <summary>CSR 128×2000 (10 % dense) × dense 2000×128, forward and transposed (weight gradient), vs dense GEMM of the same shape.</summary>
public class SparseMatMulBenchmarks
{
    private const int Rows = 128, Cols = 2000, N = 128;
    private int[] _indptr = [], _indices = [];
    private float[] _values = [], _denseS = [], _d = [], _dt = [], _o = [], _t = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        var idx = new List<int>(); var val = new List<float>();
        _indptr = new int[Rows + 1]; _denseS = new float[Rows * Cols];
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Cols; c++)
                if (rng.NextDouble() < 0.1) { float x = (float)rng.NextDouble(); idx.Add(c); val.Add(x); _denseS[r * Cols + c] = x; }
            _indptr[r + 1] = idx.Count;
        }
        _indices = idx.ToArray(); _values = val.ToArray();
        _d = new float[Cols * N]; _dt = new float[Rows * N]; _o = new float[Rows * N]; _t = new float[Cols * N];
        for (int i = 0; i < _d.Length; i++) _d[i] = (float)rng.NextDouble();
        for (int i = 0; i < _dt.Length; i++) _dt[i] = (float)rng.NextDouble();
    }

    [Benchmark(Baseline = true)]
    public void DenseGemm() => Gemm.Multiply(false, false, Rows, N, Cols, _denseS, Cols, _d, N, _o, N, false);

    [Benchmark]
    public void Csr() => SparseMatMul.Multiply(_indptr, _indices, _values, Rows, Cols, _d, N, _o, false);

    [Benchmark]
    public void DenseGemmTransposed() => Gemm.Multiply(true, false, Cols, N, Rows, _denseS, Cols, _dt, N, _t, N, false);

    [Benchmark]
    public void CsrTransposed() => SparseMatMul.MultiplyTransposed(_indptr, _indices, _values, Rows, Cols, _dt, N, _t, false);
}
