using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Tensors;

/// <summary>
/// Forward values and gradients of engine ops against PyTorch (float64) values in
/// ../shared/reference/torch_ops_reference.json. The gradient convention there is
/// d(sum(output · upstream))/d(input), which is what Backward(upstream) computes.
/// Tolerances are float32 ones: rtol 1e-5 covers a few ulps of rounding for element-wise ops;
/// reductions and products of up to ~7 terms get atol 1e-5 on top; lgamma/digamma are computed
/// in double and rounded, so they meet rtol 1e-5 as well.
/// </summary>
[Category("SharedData")]
public class TorchReferenceTests
{
    private static readonly Dictionary<string, (Func<ReferenceCase, Dictionary<string, Tensor>, Tensor> Op, double Rtol, double Atol)> s_ops = new()
    {
        ["add_broadcast"] = ((c, x) => x["a"] + x["b"], 1e-6, 1e-6),
        ["mul_broadcast"] = ((c, x) => x["a"] * x["b"], 1e-6, 1e-6),
        ["div"] = ((c, x) => x["a"] / x["b"], 1e-5, 1e-6),
        ["pow_scalar"] = ((c, x) => x["a"].Pow(3f), 1e-5, 1e-6),
        ["exp"] = ((c, x) => x["a"].Exp(), 1e-5, 1e-6),
        ["sigmoid"] = ((c, x) => x["a"].Sigmoid(), 1e-5, 1e-6),
        ["tanh"] = ((c, x) => x["a"].Tanh(), 1e-5, 1e-6),
        ["relu"] = ((c, x) => x["a"].Relu(), 1e-6, 1e-6),
        ["gelu"] = ((c, x) => x["a"].Gelu(), 1e-5, 1e-6),
        ["softplus"] = ((c, x) => x["a"].Softplus(), 1e-5, 1e-6),
        ["abs"] = ((c, x) => x["a"].Abs(), 1e-6, 1e-6),
        ["leaky_relu_0.2"] = ((c, x) => x["a"].LeakyRelu(0.2f), 1e-6, 1e-6),
        ["log"] = ((c, x) => x["a"].Log(), 1e-5, 1e-6),
        ["log1p"] = ((c, x) => x["a"].Log1p(), 1e-5, 1e-6),
        ["sqrt"] = ((c, x) => x["a"].Sqrt(), 1e-5, 1e-6),
        ["lgamma"] = ((c, x) => x["a"].LGamma(), 1e-5, 1e-5),
        ["digamma"] = ((c, x) => x["a"].Digamma(), 1e-5, 1e-5),
        ["sum_axis1_keepdim"] = ((c, x) => x["a"].Sum(1, keepDim: true), 1e-5, 1e-5),
        ["mean_axis0"] = ((c, x) => x["a"].Mean(0), 1e-5, 1e-5),
        ["max_axis1"] = ((c, x) => x["a"].Max(1), 1e-6, 1e-6),
        ["logsumexp_axis1"] = ((c, x) => x["a"].LogSumExp(1), 1e-5, 1e-5),
        ["var_axis1_unbiased"] = ((c, x) => x["a"].Var(1, unbiased: true), 1e-5, 1e-5),
        ["softmax_last"] = ((c, x) => x["a"].Softmax(-1), 1e-5, 1e-6),
        ["log_softmax_last"] = ((c, x) => x["a"].LogSoftmax(-1), 1e-5, 1e-5),
        ["matmul_2d"] = ((c, x) => x["a"].MatMul(x["b"]), 1e-5, 1e-5),
        ["matmul_batched"] = ((c, x) => x["a"].MatMul(x["b"]), 1e-5, 1e-5),
        ["matmul_transposed_b"] = ((c, x) => Tensor.MatMul(x["a"], x["b"], transposeB: true), 1e-5, 1e-5),
        ["linear"] = ((c, x) => Tensor.Linear(x["x"], x["w"], x["b"]), 1e-5, 1e-5),
        ["index_select_rows"] = ((c, x) => x["a"].IndexSelect(0, c.IntArray("index")), 1e-6, 1e-6),
        ["index_add_rows"] = ((c, x) => x["a"].IndexAdd(0, c.IntArray("index"), x["s"]), 1e-6, 1e-6),
        ["gather_axis1"] = ((c, x) => x["a"].Gather(1, c.Attrs.GetProperty("index").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetInt32())).ToArray(), [3, 2]), 1e-6, 1e-6),
        ["concat_axis1"] = ((c, x) => Tensor.Concat([x["a"], x["b"]], 1), 1e-6, 1e-6),
        ["transpose_permute"] = ((c, x) => x["a"].Permute(2, 0, 1), 1e-6, 1e-6),
    };

    public static IEnumerable<string> Cases => s_ops.Keys;

    [TestCaseSource(nameof(Cases))]
    public void Matches_pytorch_forward_and_gradients(string name)
    {
        var c = TestData.Reference(name);
        var (op, rtol, atol) = s_ops[name];
        var inputNames = new List<string>();
        var inputs = new Dictionary<string, Tensor>();
        foreach (var p in c.InputNames)
        {
            inputs[p] = c.Input(p);
            inputNames.Add(p);
        }
        var y = op(c, inputs);
        TensorAssert.Close(y, c.Output, rtol, atol, $"{name} forward");
        y.Backward(c.Upstream);
        foreach (var p in inputNames)
        {
            Assert.That(inputs[p].Grad, Is.Not.Null, $"{name}: no gradient for {p}");
            TensorAssert.Close(inputs[p].Grad!, c.Grad(p), rtol * 10, atol * 10, $"{name} d/d{p}");
        }
    }
}
