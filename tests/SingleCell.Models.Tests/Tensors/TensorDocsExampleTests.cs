using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Tensors;

/// <summary>Runs the example of docs/concepts/tensors.md and checks that it recovers the true weights.</summary>
public class TensorDocsExampleTests
{
    [Test]
    public void Linear_regression_example_recovers_the_weights()
    {
        var gen = new Generator(seed: 42);
        var x = Tensor.RandomNormal(gen, [256, 3]);
        var trueW = Tensor.FromArray([2f, -1f, 0.5f], 1, 3);
        var y = Tensor.Linear(x, trueW) + 0.3f;

        var w = Tensor.Zeros(1, 3); w.RequiresGrad = true;
        var b = Tensor.Zeros(1); b.RequiresGrad = true;
        float first = float.NaN, last = float.NaN;
        for (int step = 0; step < 200; step++)
        {
            var loss = (Tensor.Linear(x, w, b) - y).Square().Mean();
            w.ZeroGrad(); b.ZeroGrad();
            loss.Backward();
            using (Tensor.NoGrad())
            {
                w.AddInPlace(w.Grad!, alpha: -0.1f);
                b.AddInPlace(b.Grad!, alpha: -0.1f);
            }
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.That(last, Is.LessThan(first * 1e-4));
        Assert.That(w.ToArray(), Is.EqualTo(new[] { 2f, -1f, 0.5f }).Within(1e-3));
        Assert.That(b.Item(), Is.EqualTo(0.3f).Within(1e-3));
    }

    [Test]
    public void In_place_update_of_a_leaf_outside_NoGrad_is_refused()
    {
        var w = Tensor.Zeros(2); w.RequiresGrad = true;
        Assert.Throws<InvalidOperationException>(() => w.AddInPlace(Tensor.Ones(2)));
        var h = w * 2f;
        using (Tensor.NoGrad()) Assert.Throws<InvalidOperationException>(() => h.FillInPlace(0f));
    }
}
