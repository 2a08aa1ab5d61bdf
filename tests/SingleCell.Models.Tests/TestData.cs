using System.Text.Json;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests;

/// <summary>Locates <c>../shared</c> beside the repository and loads the PyTorch reference cases.</summary>
internal static class TestData
{

    /// <summary>The path of a file under <c>../shared</c>; ignores the test (with a message) when absent.</summary>
    internal static string SharedPath(string relative)
    {
        var root = TestPaths.SharedRoot;
        if (root == null) Assert.Ignore("../shared is not beside the repository; shared-data tests are skipped.");
        var path = Path.Combine(root!, relative);
        if (!File.Exists(path) && !Directory.Exists(path)) Assert.Ignore($"{path} is absent; test skipped.");
        return path;
    }

    private static readonly Lazy<Dictionary<string, JsonElement>> s_reference = new(() =>
    {
        var doc = JsonDocument.Parse(File.ReadAllBytes(SharedPath("reference/torch_ops_reference.json")));
        var map = new Dictionary<string, JsonElement>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray()) map[c.GetProperty("name").GetString()!] = c;
        return map;
    });

    /// <summary>One case of <c>torch_ops_reference.json</c>.</summary>
    internal static ReferenceCase Reference(string name)
    {
        SharedPath("reference/torch_ops_reference.json");
        return new ReferenceCase(s_reference.Value[name]);
    }
}

/// <summary>A reference case: inputs, output, upstream gradient and input gradients (float64 from PyTorch).</summary>
internal sealed class ReferenceCase(JsonElement e)
{
    internal JsonElement Attrs => e.GetProperty("attrs");

    internal IEnumerable<string> InputNames => e.GetProperty("inputs").EnumerateObject().Select(p => p.Name);

    internal Tensor Input(string name, bool requiresGrad = true)
    {
        var t = Load(e.GetProperty("inputs").GetProperty(name));
        t.RequiresGrad = requiresGrad;
        return t;
    }

    internal Tensor Output => Load(e.GetProperty("output"));

    internal Tensor Upstream => Load(e.GetProperty("upstream"));

    internal Tensor Grad(string name) => Load(e.GetProperty("grads").GetProperty(name));

    internal static Tensor Load(JsonElement t)
    {
        var shape = t.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var data = t.GetProperty("data").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
        return shape.Length == 0 ? Tensor.FromSpan(data) : Tensor.FromArray(data, shape);
    }

    internal int[] IntArray(string attr) => Attrs.GetProperty(attr).EnumerateArray().Select(x => x.GetInt32()).ToArray();
}

/// <summary>Tolerance assertions on tensors.</summary>
internal static class TensorAssert
{
    /// <summary>|actual − expected| ≤ atol + rtol·|expected| element-wise, with the worst element in the message.</summary>
    internal static void Close(Tensor actual, Tensor expected, double rtol, double atol, string what = "")
    {
        Assert.That(actual.Size, Is.EqualTo(expected.Size), $"{what}: sizes differ ({actual.Shape} vs {expected.Shape})");
        Close(actual.AsReadOnlySpan().ToArray(), expected.AsReadOnlySpan().ToArray(), rtol, atol, what);
    }

    internal static void Close(float[] actual, float[] expected, double rtol, double atol, string what = "")
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{what}: lengths differ");
        double worst = 0; int wi = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double err = Math.Abs((double)actual[i] - expected[i]);
            double bound = atol + rtol * Math.Abs(expected[i]);
            bool bad = !(err <= bound) && !(float.IsNaN(actual[i]) && float.IsNaN(expected[i])) && actual[i] != expected[i];
            if (bad && (wi < 0 || err / bound > worst)) { worst = err / bound; wi = i; }
        }
        if (wi >= 0) Assert.Fail($"{what}: element {wi}: got {actual[wi]:R}, expected {expected[wi]:R} (rtol {rtol}, atol {atol}); worst ratio {worst:G3}");
    }
}
