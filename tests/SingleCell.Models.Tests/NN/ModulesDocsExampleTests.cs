using SingleCell.Models.NN;
using SingleCell.Models.Optim;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.NN;

public class ModulesDocsExampleTests
{
    [Test]
    public void Docs_example_trains_and_checkpoints()
    {
        // The example of docs/concepts/modules.md, with the loss recorded instead of printed.
        var gen = new Generator(seed: 1);
        var model = new Sequential(
            new Linear(10, 32, gen), new GELU(), new LayerNorm(32), new Dropout(0.1f, gen),
            new Linear(32, 1, gen));
        var opt = new AdamW(model.Parameters(), learningRate: 1e-2, weightDecay: 1e-4);
        var warmup = new LinearWarmup(opt, totalIters: 20, startFactor: 0.1);

        var x = Tensor.RandomNormal(gen, [256, 10]);
        var y = x.Sum(1, keepDim: true).Tanh();
        float first = 0, last = 0;
        for (int step = 0; step < 100; step++)
        {
            var loss = (model.Forward(x) - y).Square().Mean();
            opt.ZeroGrad();
            loss.Backward();
            GradientClipping.ClipGradNorm(model.Parameters(), maxNorm: 1.0);
            opt.Step();
            warmup.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        model.Eval();
        var checkpoint = model.StateDict();
        var optimizerState = opt.GetState();
        Assert.That(last, Is.LessThan(0.3f * first));
        Assert.That(checkpoint.Keys, Is.EqualTo(new[] { "0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias" }));
        Assert.That(optimizerState.Tensors.ContainsKey("state.0.exp_avg"), Is.True);
        Assert.That(opt.ParamGroups[0].LearningRate, Is.EqualTo(1e-2).Within(1e-12));
    }
}
