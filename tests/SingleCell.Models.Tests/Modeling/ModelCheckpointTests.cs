using SingleCell.Models.Modeling;
using SingleCell.Models.Svae;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Modeling;

public class ModelCheckpointTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}"));

    [TearDown]
    public void TearDown() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static SvaeModel Small() => (SvaeModel)new SvaeContractCase(SvaeVariant.SvaePlus).Create(3);

    [Test]
    public void Orphans_of_killed_saves_are_removed_by_the_next_save_of_the_same_path()
    {
        var path = Path.Combine(_dir, "model.safetensors");
        var orphan = Path.Combine(_dir, $".model.safetensors.{Guid.NewGuid():N}.tmp");
        var unrelated = Path.Combine(_dir, ".other.safetensors.0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllText(orphan, "half a checkpoint");
        File.WriteAllText(unrelated, "another file's temporary");
        Small().Save(path);
        Assert.That(File.Exists(orphan), Is.False);
        Assert.That(File.Exists(unrelated), Is.True, "temporaries of other paths are left alone");
        Assert.That(Directory.GetFiles(_dir, ".model.safetensors.*"), Is.Empty);
    }

    [Test]
    public void A_save_that_fails_leaves_the_previous_file_intact_and_no_temporary()
    {
        var path = Path.Combine(_dir, "model.safetensors");
        var model = Small();
        model.Save(path);
        var before = File.ReadAllBytes(path);
        // A state dict tensor whose name the safetensors writer rejects makes the write fail midway.
        Assert.That(() => SingleCell.Models.Serialization.Checkpoint.Save(path, new Dictionary<string, SingleCell.Models.Tensors.Tensor>
        {
            ["ok"] = SingleCell.Models.Tensors.Tensor.Ones(2), ["__metadata__"] = SingleCell.Models.Tensors.Tensor.Ones(1),
        }), Throws.InstanceOf<ArgumentException>());
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void Options_implying_a_huge_network_fail_fast_without_taking_the_memory()
    {
        var path = Path.Combine(_dir, "model.safetensors");
        Small().Save(path);
        var bytes = File.ReadAllBytes(path);
        foreach (var (kind, option, value) in new[] { ("hidden", "\"hidden_dim\":8", "\"hidden_dim\":20000"), ("layers", "\"layers\":2", "\"layers\":1000000") })
        {
            var edited = EditMetadata(bytes, option.Replace("\"", "\\\""), value.Replace("\"", "\\\""));
            var target = Path.Combine(_dir, kind + ".safetensors");
            File.WriteAllBytes(target, edited);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var ex = Assert.Throws<CheckpointFormatException>(() => SvaeModel.Load(target));
            Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(1), kind);
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(16L << 20), kind);
            Assert.That(ex!.Message, Does.Contain("larger than").Or.Contain("does not match"), kind);
        }
    }

    /// <summary>Replaces text inside the (JSON-escaped) metadata and rewrites the header length.</summary>
    private static byte[] EditMetadata(byte[] file, string from, string to)
    {
        long n = BitConverter.ToInt64(file, 0);
        var header = System.Text.Encoding.UTF8.GetString(file, 8, (int)n);
        Assert.That(header, Does.Contain(from));
        var edited = System.Text.Encoding.UTF8.GetBytes(header.Replace(from, to));
        var result = new byte[8 + edited.Length + file.Length - 8 - n];
        BitConverter.GetBytes((long)edited.Length).CopyTo(result, 0);
        edited.CopyTo(result, 8);
        Array.Copy(file, 8 + n, result, 8 + edited.Length, file.Length - 8 - n);
        return result;
    }

    [Test]
    public void Loading_a_checkpoint_of_another_model_type_names_both_types()
    {
        var path = Path.Combine(_dir, "recipe.safetensors");
        var recipe = new Recipe.LabelProfileContractCase().Create(1);
        recipe.Fit(new TrainerOptions { MaxEpochs = 1, TrainSize = 1 });
        recipe.Save(path);
        var ex = Assert.Throws<CheckpointFormatException>(() => SvaeModel.Load(path));
        Assert.That(ex!.Message, Does.Contain("'label_profile'").And.Contain("'svae'"));
    }
}
