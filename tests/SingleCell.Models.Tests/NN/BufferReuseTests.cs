using SingleCell.Models.NN;
using SingleCell.Models.Optim;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.NN;

/// <summary>
/// Reuse of the buffers between the layers of a <see cref="Sequential"/> (returned to the pool once the
/// backward pass has consumed them, or at once under no-grad): it happens, it never touches memory a user
/// can still reach, and it changes no result.
/// </summary>
[NonParallelizable]
public class BufferReuseTests
{
    private const int Rows = 64;

    private static Sequential Mlp(int seed, bool withOpaqueLayer = false)
    {
        var g = new Generator(seed);
        var seq = new Sequential(new Linear(32, 128, g), new BatchNorm1d(128), new ReLU(), new Dropout(0.2f, g.Fork()),
            new Linear(128, 128, g), new ReLU(), new Linear(128, 96, g));
        // A layer the engine does not know turns reuse off for the whole chain (same numbers otherwise).
        if (withOpaqueLayer) seq.Add(new Opaque());
        return seq;
    }

    private sealed class Opaque : Module<Tensor, Tensor>
    {
        public override Tensor Forward(Tensor input) => input;
    }

    /// <summary>Buffers of the tensors recorded below <paramref name="y"/> (the intermediates of its graph).</summary>
    private static HashSet<float[]> GraphBuffers(Tensor y)
    {
        var seen = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Tensor>([y]);
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (!seen.Add(t._data)) continue;
            foreach (var u in t._node?.Inputs ?? []) stack.Push(u);
        }
        return seen;
    }

    [Test]
    public void Held_outputs_inputs_and_views_keep_their_values_across_steps()
    {
        var seq = Mlp(1);
        var opt = new Adam(seq.Parameters(), learningRate: 1e-2);
        var gen = new Generator(2);
        var held = new List<(Tensor Tensor, float[] Snapshot, string What)>();
        void Hold(Tensor t, string what) => held.Add((t, t.ToArray(), what));
        for (int step = 0; step < 6; step++)
        {
            var x = Tensor.RandomNormal(gen, [Rows, 32]);
            Hold(x, $"input {step}");
            var y = seq.Forward(x);
            Hold(y, $"output {step}");
            Hold(y.Detach(), $"detached view {step}");
            // An intermediate the user computes layer by layer is theirs, not the tape's.
            var h = seq[1].Forward(seq[0].Forward(x));
            Hold(h, $"user intermediate {step}");
            var loss = (y * y).Mean() + (h * h).Mean() * 1e-3f;
            Hold(loss, $"loss {step}");
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
            using (Tensor.NoGrad())
            {
                seq.Eval();
                Hold(seq.Forward(x), $"no-grad output {step}");
                seq.Train();
            }
        }
        foreach (var (t, snapshot, what) in held)
            Assert.That(t.ToArray(), Is.EqualTo(snapshot), $"{what} changed after later steps");
    }

    [Test]
    public void Intermediates_are_reused_once_backward_has_consumed_them_and_user_tensors_never_are()
    {
        var seq = Mlp(3);
        var gen = new Generator(4);
        var x1 = Tensor.RandomNormal(gen, [Rows, 32]);
        var y1 = seq.Forward(x1);
        var step1 = GraphBuffers(y1);
        step1.Remove(y1._data); step1.Remove(x1._data);
        foreach (var p in seq.Parameters()) step1.Remove(p.Value._data);
        (y1 * y1).Mean().Backward();
        var x2 = Tensor.RandomNormal(gen, [Rows, 32]);
        var y2 = seq.Forward(x2);
        var step2 = GraphBuffers(y2);
        Assert.That(step2.Overlaps(step1), Is.True, "no intermediate buffer of step 1 was reused in step 2");
        Assert.That(step2.Contains(y1._data), Is.False, "the output the user holds was reused");
        Assert.That(step2.Contains(x1._data), Is.False, "the input the user holds was reused");
    }

    [Test]
    public void Under_no_grad_intermediates_return_at_once()
    {
        var seq = Mlp(5);
        seq.Eval();
        var gen = new Generator(6);
        using (Tensor.NoGrad())
        {
            var y1 = seq.Forward(Tensor.RandomNormal(gen, [Rows, 32]));
            var snapshot = y1.ToArray();
            var y2 = seq.Forward(Tensor.RandomNormal(gen, [Rows, 32]));
            Assert.That(y1.ToArray(), Is.EqualTo(snapshot));
            Assert.That(ReferenceEquals(y1._data, y2._data), Is.False);
        }
    }

    [Test]
    public void Training_with_reuse_gives_bitwise_the_same_parameters_as_without()
    {
        float[][] Train(bool opaque)
        {
            var seq = Mlp(7, opaque);
            var opt = new Adam(seq.Parameters(), learningRate: 1e-2);
            var gen = new Generator(8);
            for (int step = 0; step < 8; step++)
            {
                var x = Tensor.RandomNormal(gen, [Rows, 32]);
                var y = seq.Forward(x);
                opt.ZeroGrad();
                ((y - 0.5f) * (y - 0.5f)).Mean().Backward();
                opt.Step();
            }
            return [.. seq.Parameters().Select(p => p.Value.ToArray())];
        }
        var reused = Train(opaque: false);
        var plain = Train(opaque: true);
        for (int i = 0; i < reused.Length; i++) Assert.That(reused[i], Is.EqualTo(plain[i]), $"parameter {i}");
    }
}
