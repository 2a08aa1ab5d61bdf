using System.Diagnostics;
using SingleCell.Models.Data;
using SingleCell.Models.Modeling;
using SingleCell.Models.NN;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Modeling;

/// <summary>
/// One model family's entry in the contract test: tiny data, how to create, load and query the model.
/// Every family adds a subclass and a line to <see cref="ModelContractCases.All"/>.
/// </summary>
public abstract class ModelContractCase
{
    /// <summary>The case's name in test output (family and variant).</summary>
    public abstract string Name { get; }

    /// <summary>Tiny data the model is created on (a few dozen cells, a few dozen genes).</summary>
    public abstract AnnData Data { get; }

    /// <summary>An untrained model set up on <see cref="Data"/>.</summary>
    public abstract IModel Create(ulong seed);

    /// <summary>The family's static <c>Load</c>.</summary>
    public abstract IModel Load(string path);

    /// <summary>Deterministic query outputs (eval mode) on <paramref name="data"/>, flattened.</summary>
    public abstract float[] Outputs(IModel model, AnnData data);

    /// <summary>A short run on <see cref="Data"/>; the default is one full-batch epoch.</summary>
    public virtual TrainerOptions QuickTraining => new() { MaxEpochs = 1, TrainSize = 1, BatchSize = 1 << 20 };

    /// <summary><see cref="Data"/> with a category the schema does not know, when the model reads a categorical field.</summary>
    public virtual AnnData? WithUnknownCategory() => null;

    /// <summary>Parameters allowed to receive no gradient in one full-batch step.</summary>
    public virtual IReadOnlySet<string> ParametersWithoutGradient => new HashSet<string>();

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The registry: one line per model family and variant.</summary>
public static class ModelContractCases
{
    /// <summary>Every registered case.</summary>
    public static IEnumerable<ModelContractCase> All =>
    [
        new SvaeContractCase(SingleCell.Models.Svae.SvaeVariant.SvaePlus),
        new SvaeContractCase(SingleCell.Models.Svae.SvaeVariant.Svae),
        new SvaeContractCase(SingleCell.Models.Svae.SvaeVariant.Vae),
        new Recipe.LabelProfileContractCase(),
        new Gears.GearsContractCase(),
        new ExceiverContractCase(classifier: false),
        new ExceiverContractCase(classifier: true),
        new DietNetworkContractCase(SingleCell.Models.DietNetworks.DietEmbedding.Histogram, 1.0),
        new DietNetworkContractCase(SingleCell.Models.DietNetworks.DietEmbedding.Raw, 0.0),
    ];
}

/// <summary>
/// The contract every <see cref="IModel"/> family meets: finite gradients for every parameter,
/// bitwise save/load, schema errors for bad data, only <see cref="CheckpointFormatException"/> for
/// corrupted checkpoints within time and memory bounds, usable after cancellation, same seed same bits.
/// </summary>
[TestFixtureSource(typeof(ModelContractCases), nameof(ModelContractCases.All))]
public class ModelContractTests(ModelContractCase contract)
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), $"contract-{Guid.NewGuid():N}"));

    [TearDown]
    public void TearDown() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static Module NetworkOf(IModel model) => ((INetworkOwner)model).Network;

    [Test]
    public void Every_trainable_parameter_receives_a_finite_gradient()
    {
        var model = contract.Create(1);
        var history = model.Fit(contract.QuickTraining);
        Assert.That(history.Steps, Is.GreaterThan(0));
        Assert.That(model.IsTrained);
        var missing = new List<string>();
        foreach (var (name, p) in NetworkOf(model).NamedParameters())
        {
            if (!p.RequiresGrad || contract.ParametersWithoutGradient.Contains(name)) continue;
            if (p.Grad == null) { missing.Add(name); continue; }
            Assert.That(p.Grad.HasNonFinite(), Is.False, $"gradient of {name}");
        }
        Assert.That(missing, Is.Empty, "parameters outside the graph of the loss");
    }

    [Test]
    public void Save_then_load_gives_bitwise_identical_outputs_and_the_same_schema()
    {
        var model = contract.Create(2);
        model.Fit(contract.QuickTraining);
        var path = Path.Combine(_dir, "m.safetensors");
        model.Save(path);
        var loaded = contract.Load(path);
        Assert.That(contract.Outputs(loaded, contract.Data), Is.EqualTo(contract.Outputs(model, contract.Data)));
        Assert.That(loaded.Schema.Genes, Is.EqualTo(model.Schema.Genes));
        Assert.That(loaded.IsTrained, Is.True);
        Assert.That(loaded.ParameterCount, Is.EqualTo(model.ParameterCount));
        Assert.That(() => model.Save(path), Throws.TypeOf<IOException>(), "no silent overwrite");
    }

    [Test]
    public void Data_with_a_missing_gene_or_an_unknown_category_is_rejected()
    {
        var model = contract.Create(3);
        var data = contract.Data;
        var keep = Enumerable.Range(1, data.NVars - 1).ToArray();
        var fewer = new AnnData(data.X!.SelectColumns(keep), data.ObsNames, keep.Select(j => data.VarNames[j]).ToArray());
        foreach (var name in data.Obs.ColumnNames) fewer.Obs.Add(data.Obs[name]);
        foreach (var (name, layer) in data.Layers) fewer.Layers[name] = layer.SelectColumns(keep);
        var ex = Assert.Throws<DataSchemaException>(() => model.Evaluate(fewer));
        Assert.That(ex!.Message, Does.Contain(data.VarNames[0]));
        if (contract.WithUnknownCategory() is { } unknown)
            Assert.Throws<DataSchemaException>(() => model.Evaluate(unknown));
    }

    [Test]
    public void Corrupted_checkpoints_give_only_the_documented_exception_within_bounds()
    {
        var model = contract.Create(4);
        model.Fit(contract.QuickTraining);
        var path = Path.Combine(_dir, "good.safetensors");
        model.Save(path);
        var bytes = File.ReadAllBytes(path);
        var counts = new Dictionary<string, int>();
        int clean = 0, documented = 0;
        foreach (var (kind, mutated) in CheckpointMutations.Generate(bytes, seed: 17))
        {
            var target = Path.Combine(_dir, "bad.safetensors");
            File.WriteAllBytes(target, mutated);
            var clock = Stopwatch.StartNew();
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                contract.Load(target);
                clean++;
            }
            catch (CheckpointFormatException) { documented++; }
            catch (Exception e)
            {
                Assert.Fail($"{contract.Name}, mutation '{kind}': {e.GetType().Name}: {e.Message}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(5), $"mutation '{kind}' took {clock.Elapsed.TotalSeconds:F1} s");
            Assert.That(allocated, Is.LessThan(64L * 1024 * 1024 + 40L * mutated.Length), $"mutation '{kind}' allocated {allocated:N0} bytes");
            counts[kind] = counts.GetValueOrDefault(kind) + 1;
        }
        TestContext.Progress.WriteLine($"{contract.Name}: {clean + documented} corrupted checkpoints ({string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}"))}): " +
            $"{clean} loaded cleanly (a still-valid option value or changed tensor data), {documented} CheckpointFormatException, 0 other.");
        Assert.That(documented, Is.GreaterThan(clean), "most mutations hit the header or the sizes");
    }

    [Test]
    public void Cancelling_mid_epoch_leaves_a_usable_model()
    {
        var model = contract.Create(5);
        using var cts = new CancellationTokenSource();
        var progress = new Sync(p => { if (!p.EndOfEpoch) cts.Cancel(); });
        var history = model.Fit(contract.QuickTraining with { BatchSize = 8, MaxEpochs = 3 }, progress, cts.Token);
        Assert.That(history.StopReason, Is.EqualTo("cancelled"));
        Assert.That(history.Steps, Is.EqualTo(1));
        Assert.That(model.IsTrained, "one completed step");
        var outputs = contract.Outputs(model, contract.Data);
        Assert.That(outputs.All(float.IsFinite));
        var path = Path.Combine(_dir, "cancelled.safetensors");
        model.Save(path);
        Assert.That(contract.Outputs(contract.Load(path), contract.Data), Is.EqualTo(outputs));
    }

    [Test]
    public void Same_seed_gives_the_same_bits_and_an_untrained_model_says_so()
    {
        var a = contract.Create(6);
        var b = contract.Create(6);
        Assert.That(a.IsTrained, Is.False);
        a.Fit(contract.QuickTraining);
        b.Fit(contract.QuickTraining);
        Assert.That(contract.Outputs(a, contract.Data), Is.EqualTo(contract.Outputs(b, contract.Data)));
        Assert.That(a.History!.Series("loss_train"), Is.EqualTo(b.History!.Series("loss_train")));
    }

    private sealed class Sync(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
