using System.Buffers.Binary;
using System.Collections;
using System.Diagnostics;
using System.Text;
using SingleCell.Models.Serialization;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Serialization;

public class SafeTensorsTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "scm-st-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static Dictionary<string, Tensor> SampleTensors()
    {
        var gen = new Generator(77);
        return new Dictionary<string, Tensor>
        {
            ["encoder.layers.0.weight"] = Tensor.RandomNormal(gen, [3, 5]),
            ["encoder.layers.0.bias"] = Tensor.RandomNormal(gen, [5]),
            ["decoder.px_r"] = Tensor.FromArray([float.MaxValue, float.Epsilon, -0f, float.NegativeInfinity]),
            ["scalar"] = Tensor.Scalar(3.25f),
            ["rank4"] = Tensor.RandomUniform(gen, [2, 1, 3, 2]),
            ["empty"] = Tensor.Zeros(0, 4),
        };
    }

    /// <summary>Builds a file per the spec: u64 LE header length, JSON, buffer.</summary>
    private static byte[] HandWritten(string json, byte[] buffer)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + buffer.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        buffer.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    [Test]
    public void Round_trip_gives_identical_tensors_and_metadata()
    {
        var tensors = SampleTensors();
        var meta = new Dictionary<string, string>
        {
            ["model_options"] = "{\"n_latent\": 10, \"gene_likelihood\": \"nb\"}",
            ["schema"] = "genes ✓ naïve \"quoted\" \\ back",
        };
        var path = Path.Combine(_dir, "model.safetensors");
        Checkpoint.Save(path, tensors, meta);
        var loaded = Checkpoint.Load(path);
        Assert.That(loaded.FormatVersion, Is.EqualTo(Checkpoint.CurrentFormatVersion));
        Assert.That(loaded.Metadata, Is.EquivalentTo(meta));
        Assert.That(loaded.Tensors.Keys, Is.EquivalentTo(tensors.Keys));
        foreach (var (name, t) in tensors)
        {
            var l = loaded.Tensors[name];
            Assert.That(l.Shape, Is.EqualTo(t.Shape), name);
            // Bitwise identity (also for −0 and ∞).
            Assert.That(l.ToArray().Select(BitConverter.SingleToInt32Bits), Is.EqualTo(t.ToArray().Select(BitConverter.SingleToInt32Bits)), name);
        }
        var raw = SafeTensors.Read(path);
        Assert.That(raw.Metadata["format"], Is.EqualTo("singlecell-models"));
        Assert.That(raw.Metadata["format_version"], Is.EqualTo(Checkpoint.CurrentFormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Written_layout_follows_the_spec()
    {
        var bytes = SafeTensors.Serialize(SampleTensors(), new Dictionary<string, string> { ["k"] = "v" });
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.That(n % 8, Is.EqualTo(0UL), "header padded to 8 bytes");
        var header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.That(header[0], Is.EqualTo('{'));
        Assert.That(header.TrimEnd(' ').EndsWith('}'));
        Assert.That(header.StartsWith("{\"__metadata__\":{\"k\":\"v\"}", StringComparison.Ordinal));
        // Tensors in ordinal name order with contiguous offsets starting at 0.
        var file = SafeTensors.Parse(bytes);
        Assert.That(file.Tensors.Select(t => t.Name), Is.EqualTo(file.Tensors.Select(t => t.Name).OrderBy(s => s, StringComparer.Ordinal)));
        Assert.That(file.Tensors[0].Begin, Is.EqualTo(0));
        Assert.That(file.Tensors[^1].End, Is.EqualTo(bytes.Length - 8 - (long)n));
    }

    [Test]
    public void Writer_output_is_byte_identical_to_a_hand_built_file()
    {
        // What the reference Rust implementation writes for these inputs: compact JSON, __metadata__
        // first, tensors sorted by name, header padded with spaces to a multiple of 8.
        var bytes = SafeTensors.Serialize(
            new Dictionary<string, Tensor> { ["b"] = Tensor.FromArray([1f, -2f], 2), ["a"] = Tensor.Scalar(3f) },
            new Dictionary<string, string> { ["k"] = "v" });
        const string json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        string padded = json + new string(' ', (8 - json.Length % 8) % 8);
        var buffer = new List<byte>();
        foreach (var v in new[] { 3f, 1f, -2f }) buffer.AddRange(BitConverter.GetBytes(v));
        Assert.That(bytes, Is.EqualTo(HandWritten(padded, buffer.ToArray())));
    }

    [Test]
    public void Hand_written_fixture_loads_correctly()
    {
        var buf = new List<byte>();
        // "w": F32 [2, 2] at [0, 16)
        foreach (var v in new[] { 1.5f, -2f, 0.25f, 1e-3f }) buf.AddRange(BitConverter.GetBytes(v));
        // "d": F64 [3] at [16, 40)
        foreach (var v in new[] { Math.PI, -1e10, 0.5 }) buf.AddRange(BitConverter.GetBytes(v));
        // "i": I64 [] at [40, 48)
        buf.AddRange(BitConverter.GetBytes(-42L));
        // "h": F16 [2] at [48, 52): 1.0 = 0x3C00, -0.5 = 0xB800
        buf.AddRange([0x00, 0x3C, 0x00, 0xB8]);
        // "b": BF16 [2] at [52, 56): 1.0 = 0x3F80, -2.0 = 0xC000
        buf.AddRange([0x80, 0x3F, 0x00, 0xC0]);
        // "n": I32 [1, 2] at [56, 64)
        buf.AddRange(BitConverter.GetBytes(7)); buf.AddRange(BitConverter.GetBytes(-3));
        const string json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}," +
            "\"__metadata__\":{\"note\":\"hand made\"}," +
            "\"d\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[16,40]}," +
            "\"i\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[40,48]}," +
            "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[48,52]}," +
            "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[52,56]}," +
            "\"n\":{\"dtype\":\"I32\",\"shape\":[1,2],\"data_offsets\":[56,64]}}   ";
        var bytes = HandWritten(json, buf.ToArray());
        var path = Path.Combine(_dir, "fixture.safetensors");
        File.WriteAllBytes(path, bytes);

        var file = SafeTensors.Read(path);
        Assert.That(file.Metadata["note"], Is.EqualTo("hand made"));
        Assert.That(file.Tensors.Select(t => t.Name), Is.EqualTo(new[] { "w", "d", "i", "h", "b", "n" }));
        Assert.That(file.ToTensor("w").ToArray(), Is.EqualTo(new[] { 1.5f, -2f, 0.25f, 1e-3f }));
        Assert.That(file.ToTensor("w").Shape.ToArray(), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(file.ToTensor("d").ToArray(), Is.EqualTo(new[] { (float)Math.PI, -1e10f, 0.5f }));
        Assert.That(file.ToTensor("i").Rank, Is.EqualTo(0));
        Assert.That(file.ToTensor("i").Item(), Is.EqualTo(-42f));
        Assert.That(file.ToInt64Array("i"), Is.EqualTo(new[] { -42L }));
        Assert.That(file.ToTensor("h").ToArray(), Is.EqualTo(new[] { 1f, -0.5f }));
        Assert.That(file.ToTensor("b").ToArray(), Is.EqualTo(new[] { 1f, -2f }));
        Assert.That(file.ToTensor("n").ToArray(), Is.EqualTo(new[] { 7f, -3f }));

        var cp = Checkpoint.Load(path);
        Assert.That(cp.FormatVersion, Is.Null);
        Assert.That(cp.Metadata["note"], Is.EqualTo("hand made"));
        Assert.That(cp.Tensors["w"].ToArray(), Is.EqualTo(new[] { 1.5f, -2f, 0.25f, 1e-3f }));
    }

    private static readonly byte[] s_eightBytes = new byte[8];

    private static IEnumerable<TestCaseData> CorruptFiles()
    {
        const string ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        yield return new TestCaseData(new byte[] { 1, 2, 3 }, "truncated").SetName("Corrupt_shorter_than_length_prefix");
        var huge = new byte[16]; BinaryPrimitives.WriteUInt64LittleEndian(huge, 1UL << 40);
        yield return new TestCaseData(huge, "exceeds the limit").SetName("Corrupt_oversized_header_length");
        var past = HandWritten(ok, new byte[8]); BinaryPrimitives.WriteUInt64LittleEndian(past, 1000);
        yield return new TestCaseData(past, "past the end").SetName("Corrupt_header_length_past_end_of_file");
        yield return new TestCaseData(HandWritten(ok, new byte[4]), "past the end").SetName("Corrupt_truncated_buffer");
        yield return new TestCaseData(HandWritten(ok, new byte[12]), "cover").SetName("Corrupt_trailing_bytes");
        yield return new TestCaseData(HandWritten("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "unknown").SetName("Corrupt_unknown_dtype");
        yield return new TestCaseData(HandWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]), "needs 12 bytes").SetName("Corrupt_shape_disagrees_with_offsets");
        yield return new TestCaseData(HandWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "overlaps").SetName("Corrupt_overlapping_buffers");
        yield return new TestCaseData(HandWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "belong to no tensor").SetName("Corrupt_hole_in_buffer");
        yield return new TestCaseData(HandWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", new byte[8]), "JSON").SetName("Corrupt_invalid_json");
        yield return new TestCaseData(HandWritten("[1,2,3]", s_eightBytes), "'{'").SetName("Corrupt_header_not_an_object");
        yield return new TestCaseData(HandWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[8]), "non-negative").SetName("Corrupt_negative_dimension");
        yield return new TestCaseData(HandWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", new byte[8]), "lacks data_offsets").SetName("Corrupt_missing_offsets");
        yield return new TestCaseData(HandWritten("{\"__metadata__\":{\"k\":3}}", []), "not a string").SetName("Corrupt_non_string_metadata");
    }

    [TestCaseSource(nameof(CorruptFiles))]
    public void Corrupt_files_throw_the_documented_exception(byte[] bytes, string messagePart)
    {
        var ex = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Parse(bytes));
        Assert.That(ex!.Message, Does.Contain(messagePart));
        Assert.That(ex, Is.InstanceOf<FormatException>());
        var path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, bytes);
        Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Read(path));
        Assert.Throws<SafeTensorsFormatException>(() => Checkpoint.Load(path));
    }

    [Test]
    public void Every_truncation_of_a_valid_file_is_rejected()
    {
        var bytes = SafeTensors.Serialize(new Dictionary<string, Tensor> { ["x"] = Tensor.Ones(3), ["y"] = Tensor.Ones(2, 2) });
        for (int len = 0; len < bytes.Length; len++)
            Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Parse(bytes.AsMemory(0, len)), $"length {len}");
    }

    [Test]
    public void A_newer_or_foreign_checkpoint_format_is_rejected()
    {
        var path = Path.Combine(_dir, "v3.safetensors");
        File.WriteAllBytes(path, SafeTensors.Serialize(new Dictionary<string, Tensor> { ["x"] = Tensor.Ones(1) }, new Dictionary<string, string> { ["format"] = "singlecell-models", ["format_version"] = "3" }));
        Assert.That(Assert.Throws<SafeTensorsFormatException>(() => Checkpoint.Load(path))!.Message, Does.Contain("version 3"));
        File.WriteAllBytes(path, SafeTensors.Serialize(new Dictionary<string, Tensor> { ["x"] = Tensor.Ones(1) }, new Dictionary<string, string> { ["format"] = "other" }));
        Assert.Throws<SafeTensorsFormatException>(() => Checkpoint.Load(path));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["format"] = "x" }));
    }

    /// <summary>A dictionary whose enumeration fails after two entries, as a crash in the middle of a save.</summary>
    private sealed class ThrowingDictionary(Dictionary<string, Tensor> inner) : IReadOnlyDictionary<string, Tensor>
    {
        public Tensor this[string key] => inner[key];
        public IEnumerable<string> Keys => inner.Keys;
        public IEnumerable<Tensor> Values => inner.Values;
        public int Count => inner.Count;
        public bool ContainsKey(string key) => inner.ContainsKey(key);
        public bool TryGetValue(string key, out Tensor value) => inner.TryGetValue(key, out value!);
        public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator()
        {
            int i = 0;
            foreach (var kv in inner)
            {
                if (i++ == 2) throw new IOException("simulated failure in the middle of a save");
                yield return kv;
            }
        }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Test]
    public void A_failed_save_leaves_the_existing_checkpoint_intact()
    {
        var path = Path.Combine(_dir, "model.safetensors");
        var original = SampleTensors();
        Checkpoint.Save(path, original, new Dictionary<string, string> { ["epoch"] = "3" });
        var before = File.ReadAllBytes(path);

        var replacement = new Dictionary<string, Tensor> { ["a"] = Tensor.Ones(10), ["b"] = Tensor.Ones(10), ["c"] = Tensor.Ones(10), ["d"] = Tensor.Ones(10) };
        Assert.Throws<IOException>(() => Checkpoint.Save(path, new ThrowingDictionary(replacement), new Dictionary<string, string> { ["epoch"] = "4" }));

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(Checkpoint.Load(path).Metadata["epoch"], Is.EqualTo("3"));
        Assert.That(Directory.GetFiles(_dir), Is.EquivalentTo(new[] { path }), "no temporary file is left behind");

        // A successful save replaces it.
        Checkpoint.Save(path, replacement, new Dictionary<string, string> { ["epoch"] = "4" });
        Assert.That(Checkpoint.Load(path).Metadata["epoch"], Is.EqualTo("4"));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1));
    }

    /// <summary>
    /// Python reads our checkpoints: with the <c>safetensors</c> package where it is installed, otherwise with
    /// the few lines of standard-library Python that docs/guides/data.md gives (8-byte little-endian header
    /// length, JSON header, raw little-endian buffers) — a parser nobody here wrote in C#.
    /// </summary>
    [Test]
    public void Python_reads_our_file_with_safetensors_or_the_standard_library()
    {
        if (!File.Exists("/usr/bin/python3")) Assert.Ignore("python3 is not installed; cannot cross-check with Python.");
        var path = Path.Combine(_dir, "py.safetensors");
        Checkpoint.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.FromArray([1f, 2.5f, -3f, 4f, 5f, 6f], 2, 3), ["b"] = Tensor.FromArray([0.5f]) }, new Dictionary<string, string> { ["k"] = "v" });
        const string script = """
            import sys, json, struct, array
            path = sys.argv[1]
            try:
                from safetensors.numpy import load_file
                from safetensors import safe_open
                t = load_file(path)
                with safe_open(path, 'np') as f: m = f.metadata()
                w, b = t['w'], t['b']
                print('safetensors', list(w.shape), w.ravel().tolist(), b.tolist(), m['k'], m['format'])
            except ImportError:
                raw = open(path, 'rb').read()
                n = struct.unpack('<Q', raw[:8])[0]
                header = json.loads(raw[8:8 + n])
                data = raw[8 + n:]
                def tensor(name):
                    e = header[name]
                    assert e['dtype'] == 'F32'
                    a = array.array('f'); a.frombytes(data[e['data_offsets'][0]:e['data_offsets'][1]])
                    if sys.byteorder != 'little': a.byteswap()
                    return e['shape'], a.tolist()
                (ws, w), (bs, b) = tensor('w'), tensor('b')
                m = header['__metadata__']
                print('stdlib', ws, w, b, m['k'], m['format'])
            """;
        var run = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        run.ArgumentList.Add("-c"); run.ArgumentList.Add(script); run.ArgumentList.Add(path);
        using var p = Process.Start(run)!;
        string output = p.StandardOutput.ReadToEnd();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit(60_000);
        Assert.That(p.ExitCode, Is.EqualTo(0), err);
        TestContext.Progress.WriteLine($"read by: {output.Split(' ')[0]}");
        Assert.That(output.Trim(), Does.EndWith("[2, 3] [1.0, 2.5, -3.0, 4.0, 5.0, 6.0] [0.5] v singlecell-models"));
    }
}
