using System.Text.Json;

namespace SingleCell.Models.Tests.Distributions;

/// <summary>Loads cases of ../shared/reference/torch_ops_reference.json (PyTorch, float64).</summary>
internal static class DistributionReference
{
    public static string? FindFile()
    {
        if (TestPaths.SharedRoot is not string shared) return null;
        var path = Path.Combine(shared, "reference", "torch_ops_reference.json");
        return File.Exists(path) ? path : null;
    }

    /// <summary>The case called <paramref name="name"/>, or Assert.Ignore when the reference file is absent.</summary>
    public static JsonElement Case(string name)
    {
        var path = FindFile();
        if (path is null) Assert.Ignore("../shared/reference/torch_ops_reference.json is not present beside the checkout; skipping.");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path!));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            if (c.GetProperty("name").GetString() == name) return c.Clone();
        Assert.Fail($"Reference case '{name}' not found.");
        return default;
    }

    public static double[] Values(JsonElement tensor) => tensor.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static int[] Shape(JsonElement tensor) => tensor.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static SingleCell.Models.Tensors.Tensor ToTensor(JsonElement tensor, bool requiresGrad = false)
    {
        var t = SingleCell.Models.Tensors.Tensor.FromArray(Values(tensor).Select(v => (float)v).ToArray(), Shape(tensor));
        t.RequiresGrad = requiresGrad;
        return t;
    }

    public static void AssertClose(ReadOnlySpan<float> actual, double[] expected, double abs, double rel, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
        {
            double tol = abs + rel * Math.Abs(expected[i]);
            Assert.That(Math.Abs(actual[i] - expected[i]), Is.LessThanOrEqualTo(tol), $"{what}[{i}]: got {actual[i]}, expected {expected[i]} (tol {tol:G3})");
        }
    }
}
