using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Tensors;

/// <summary>Finite-difference checks of every differentiable engine op (see <see cref="GradCheck"/> for tolerances).</summary>
public class GradientTests
{
    private static Tensor R(int seed, params int[] shape) => GradCheck.Rand(seed, -1.5f, 1.5f, shape);
    private static Tensor P(int seed, params int[] shape) => GradCheck.Rand(seed, 0.5f, 2.5f, shape);

    public static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData C(string name, Func<Tensor[], Tensor> f, params Func<Tensor>[] inputs) =>
            new TestCaseData(f, inputs) { TestName = $"Gradient_{name}" };

        // Broadcasting arithmetic.
        yield return C("add_row", x => x[0] + x[1], () => R(1, 3, 4), () => R(2, 4));
        yield return C("add_col_3d", x => x[0] + x[1], () => R(1, 2, 3, 4), () => R(2, 3, 1));
        yield return C("sub_both_broadcast", x => x[0] - x[1], () => R(1, 1, 4), () => R(2, 3, 1));
        yield return C("mul_3d_col", x => x[0] * x[1], () => R(1, 2, 3, 4), () => R(2, 3, 1));
        yield return C("mul_scalar_tensor", x => x[0] * x[1], () => R(1, 3, 4), () => R(2));
        yield return C("mul_4d", x => x[0] * x[1], () => R(1, 2, 1, 3, 2), () => R(2, 1, 2, 1, 2));
        yield return C("div_broadcast", x => x[0] / x[1], () => R(1, 3, 4), () => P(2, 1, 4));
        yield return C("same_input_twice", x => x[0] * x[0] + x[0], () => R(1, 3, 4));
        yield return C("neg", x => -x[0], () => R(1, 5));
        yield return C("scalar_ops", x => (2f - x[0]) * 3f / 4f + 1f, () => R(1, 5));
        yield return C("reciprocal", x => 1f / x[0], () => P(1, 5));
        yield return C("pow_scalar", x => x[0].Pow(2.5f), () => P(1, 2, 3));
        yield return C("pow_tensor", x => x[0].Pow(x[1]), () => P(1, 2, 3), () => R(2, 3));
        yield return C("maximum", x => Tensor.Maximum(x[0], x[1]), () => R(1, 3, 4), () => R(2, 4));
        yield return C("minimum", x => Tensor.Minimum(x[0], x[1]), () => R(1, 3, 4), () => R(2, 3, 4));
        yield return C("where", x => Tensor.Where(Tensor.FromArray([1, 0, 1, 0], 4), x[0], x[1]), () => R(1, 3, 4), () => R(2, 4));
        yield return C("masked_fill", x => x[0].MaskedFill(Tensor.FromArray([1, 0, 0, 1], 1, 4), -7f) * x[0], () => R(1, 3, 4));
        yield return C("broadcast_to", x => x[0].BroadcastTo(2, 3, 4), () => R(1, 3, 1));
        // Unary.
        yield return C("exp", x => x[0].Exp(), () => R(1, 3, 4));
        yield return C("log", x => x[0].Log(), () => P(1, 3, 4));
        yield return C("log1p", x => x[0].Log1p(), () => P(1, 3, 4));
        yield return C("expm1", x => x[0].Expm1(), () => R(1, 3, 4));
        yield return C("sqrt", x => x[0].Sqrt(), () => P(1, 3, 4));
        yield return C("abs", x => x[0].Abs(), () => GradCheck.AwayFromZero(1, 3, 4));
        yield return C("clamp", x => x[0].Clamp(-0.1f, 0.15f), () => GradCheck.AwayFromZero(1, 3, 4));
        yield return C("sigmoid", x => x[0].Sigmoid(), () => R(1, 3, 4));
        yield return C("tanh", x => x[0].Tanh(), () => R(1, 3, 4));
        yield return C("relu", x => x[0].Relu(), () => GradCheck.AwayFromZero(1, 3, 4));
        yield return C("leaky_relu", x => x[0].LeakyRelu(0.1f), () => GradCheck.AwayFromZero(1, 3, 4));
        yield return C("gelu", x => x[0].Gelu(), () => R(1, 3, 4));
        yield return C("softplus", x => x[0].Softplus(), () => GradCheck.Rand(1, -4f, 4f, 3, 4));
        yield return C("lgamma", x => x[0].LGamma(), () => P(1, 3, 4));
        yield return C("digamma", x => x[0].Digamma(), () => P(1, 3, 4));
        // Reductions over each axis.
        yield return C("sum_all", x => x[0].Sum(), () => R(1, 2, 3, 4));
        yield return C("mean_all", x => x[0].Mean(), () => R(1, 2, 3, 4));
        for (int ax = 0; ax < 3; ax++)
        {
            int a = ax;
            yield return C($"sum_axis{a}", x => x[0].Sum(a), () => R(1, 2, 3, 4));
            yield return C($"mean_axis{a}_keepdim", x => x[0].Mean(a, keepDim: true), () => R(1, 2, 3, 4));
            yield return C($"var_axis{a}", x => x[0].Var(a), () => R(1, 2, 3, 4));
            yield return C($"var_axis{a}_biased", x => x[0].Var(a, unbiased: false, keepDim: true), () => R(1, 2, 3, 4));
            yield return C($"max_axis{a}", x => x[0].Max(a), () => R(1, 2, 3, 4));
            yield return C($"min_axis{a}", x => x[0].Min(a, keepDim: true), () => R(1, 2, 3, 4));
            yield return C($"logsumexp_axis{a}", x => x[0].LogSumExp(a), () => R(1, 2, 3, 4));
            yield return C($"softmax_axis{a}", x => x[0].Softmax(a), () => R(1, 2, 3, 4));
            yield return C($"log_softmax_axis{a}", x => x[0].LogSoftmax(a), () => R(1, 2, 3, 4));
        }
        // Shaping and indexing.
        yield return C("reshape", x => x[0].Reshape(4, -1) * x[1], () => R(1, 2, 3, 2), () => R(2, 4, 3));
        yield return C("unsqueeze_squeeze", x => x[0].Unsqueeze(1).Squeeze(1).Unsqueeze(-1), () => R(1, 2, 3));
        yield return C("transpose", x => x[0].Transpose(0, 2), () => R(1, 2, 3, 4));
        yield return C("permute_4d", x => x[0].Permute(3, 1, 0, 2), () => R(1, 2, 3, 2, 2));
        yield return C("slice_axis1", x => x[0].Slice(1, 1, 2), () => R(1, 2, 4, 3));
        yield return C("concat_axis0", x => Tensor.Concat([x[0], x[1]], 0), () => R(1, 2, 3), () => R(2, 1, 3));
        yield return C("stack_axis1", x => Tensor.Stack([x[0], x[1]], 1), () => R(1, 2, 3), () => R(2, 2, 3));
        yield return C("index_select_axis1", x => x[0].IndexSelect(1, [3, 0, 3]), () => R(1, 2, 4, 2));
        yield return C("index_add_axis1", x => x[0].IndexAdd(1, [1, 1, 0], x[1]), () => R(1, 2, 3), () => R(2, 2, 3));
        yield return C("gather_axis0", x => x[0].Gather(0, [2, 0, 1, 2, 2, 1], [2, 3]), () => R(1, 3, 3));
        yield return C("scatter_add_axis1", x => x[0].ScatterAdd(1, [0, 0, 2, 1], x[1]), () => R(1, 2, 3), () => R(2, 2, 2));
        // Products.
        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            bool tA = ta, tB = tb;
            yield return C($"matmul_{(tA ? "T" : "N")}{(tB ? "T" : "N")}", x => Tensor.MatMul(x[0], x[1], tA, tB),
                () => tA ? R(1, 5, 3) : R(1, 3, 5), () => tB ? R(2, 4, 5) : R(2, 5, 4));
            yield return C($"matmul_batched_{(tA ? "T" : "N")}{(tB ? "T" : "N")}", x => Tensor.MatMul(x[0], x[1], tA, tB),
                () => tA ? R(1, 2, 5, 3) : R(1, 2, 3, 5), () => tB ? R(2, 2, 4, 5) : R(2, 2, 5, 4));
            yield return C($"matmul_broadcast_right_{(tA ? "T" : "N")}{(tB ? "T" : "N")}", x => Tensor.MatMul(x[0], x[1], tA, tB),
                () => tA ? R(1, 2, 5, 3) : R(1, 2, 3, 5), () => tB ? R(2, 4, 5) : R(2, 5, 4));
            yield return C($"matmul_broadcast_left_{(tA ? "T" : "N")}{(tB ? "T" : "N")}", x => Tensor.MatMul(x[0], x[1], tA, tB),
                () => tA ? R(1, 5, 3) : R(1, 3, 5), () => tB ? R(2, 2, 4, 5) : R(2, 2, 5, 4));
        }
        yield return C("matmul_rank4", x => Tensor.MatMul(x[0], x[1], false, true), () => R(1, 2, 2, 3, 4), () => R(2, 2, 2, 5, 4));
        yield return C("linear_rank3", x => Tensor.Linear(x[0], x[1], x[2]), () => R(1, 2, 3, 4), () => R(2, 5, 4), () => R(3, 5));
        yield return C("linear_no_bias", x => Tensor.Linear(x[0], x[1]), () => R(1, 3, 4), () => R(2, 5, 4));
    }

    [TestCaseSource(nameof(Cases))]
    public void Analytic_gradient_matches_central_differences(Func<Tensor[], Tensor> f, Func<Tensor>[] inputs)
    {
        var xs = inputs.Select(make => make()).ToArray();
        GradCheck.Check(TestContext.CurrentContext.Test.Name, f, xs);
    }
}
