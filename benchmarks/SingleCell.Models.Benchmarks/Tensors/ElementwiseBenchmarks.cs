using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using BenchmarkDotNet.Attributes;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Benchmarks.Tensors;

/// <summary>
/// Element-wise ops and softmax through the Tensor API, each beside the bare
/// <c>TensorPrimitives</c> kernel on preallocated spans (the peer: what the hardware does
/// with no allocation, no dispatch and no autodiff). The ratio is the engine's per-op overhead.
/// Length 6 × 512 + 7 puts a vector tail in every figure.
/// </summary>
[MemoryDiagnoser]
public class ElementwiseBenchmarks
{
    private const int N = 6 * 512 + 7;
    private Tensor _a = null!, _b = null!, _rows = null!;
    private float[] _x = null!, _y = null!, _dst = null!;

    [GlobalSetup]
    public void Setup()
    {
        var g = new Generator(1);
        _a = Tensor.RandomUniform(g, [N], 0.5f, 2f);
        _b = Tensor.RandomUniform(g, [N], 0.5f, 2f);
        _rows = Tensor.RandomNormal(g, [128, 2000]);
        _x = _a.ToArray(); _y = _b.ToArray(); _dst = new float[N];
    }

    [Benchmark(Baseline = true)] public void Add_TensorPrimitives() => TensorPrimitives.Add(_x, _y, _dst);
    [Benchmark] public Tensor Add_Tensor() => _a + _b;
    [Benchmark] public void Mul_TensorPrimitives() => TensorPrimitives.Multiply(_x, _y, _dst);
    [Benchmark] public Tensor Mul_Tensor() => _a * _b;
    [Benchmark] public void Exp_TensorPrimitives() => TensorPrimitives.Exp(_x, _dst);
    [Benchmark] public Tensor Exp_Tensor() => _a.Exp();
    [Benchmark] public void Log_TensorPrimitives() => TensorPrimitives.Log(_x, _dst);
    [Benchmark] public Tensor Log_Tensor() => _a.Log();
    [Benchmark] public void Sigmoid_TensorPrimitives() => TensorPrimitives.Sigmoid(_x, _dst);
    [Benchmark] public Tensor Sigmoid_Tensor() => _a.Sigmoid();
    [Benchmark] public Tensor Softplus_Tensor() => _a.Softplus();
    [Benchmark] public Tensor LGamma_Tensor() => _a.LGamma();
    [Benchmark] public Tensor Softmax_128x2000() => _rows.Softmax(-1);
    [Benchmark] public Tensor LogSoftmax_128x2000() => _rows.LogSoftmax(-1);
}
