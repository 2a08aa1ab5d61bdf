using System.Text.Json;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.NN;

/// <summary>Shared helpers: the PyTorch reference file and finite-difference checks.</summary>
internal static class NNTestUtil
{
    private static JsonDocument? s_reference;

    /// <summary>Loads ../shared/reference/torch_ops_reference.json next to the solution folder, or ignores the test.</summary>
    public static JsonElement ReferenceCase(string name)
    {
        if (s_reference == null)
        {
            string? path = TestPaths.SharedRoot is string shared ? Path.Combine(shared, "reference", "torch_ops_reference.json") : null;
            if (path == null || !File.Exists(path)) Assert.Ignore("torch_ops_reference.json not found beside the solution (../shared/reference).");
            s_reference = JsonDocument.Parse(File.ReadAllText(path!));
        }
        foreach (var c in s_reference.RootElement.GetProperty("cases").EnumerateArray())
            if (c.GetProperty("name").GetString() == name) return c;
        Assert.Fail($"Reference case '{name}' not found.");
        return default;
    }

    public static Tensor ToTensor(JsonElement e, bool requiresGrad = false)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var data = e.GetProperty("data").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
        var t = Tensor.FromArray(data, shape);
        t.RequiresGrad = requiresGrad;
        return t;
    }

    public static double[] ToDoubles(JsonElement e) => e.GetProperty("data").EnumerateArray().Select(x => x.GetDouble()).ToArray();

    /// <summary>|actual − expected| ≤ atol + rtol·|expected| elementwise.</summary>
    public static void AssertClose(ReadOnlySpan<float> actual, IReadOnlyList<double> expected, double atol, double rtol, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Count), $"{what}: length");
        double worst = 0; int at = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]) - (atol + rtol * Math.Abs(expected[i]));
            if (err > worst || double.IsNaN(err)) { worst = double.IsNaN(err) ? double.PositiveInfinity : err; at = i; }
        }
        if (at >= 0) Assert.Fail($"{what}: element {at} is {actual[at]}, expected {expected[at]} (atol {atol}, rtol {rtol})");
    }

    public static void AssertClose(Tensor actual, Tensor expected, double atol, double rtol, string what)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), $"{what}: shape");
        AssertClose(actual.AsReadOnlySpan(), expected.ToArray().Select(x => (double)x).ToArray(), atol, rtol, what);
    }

    /// <summary>
    /// Central differences of the scalar objective <paramref name="f"/> with respect to every element of
    /// <paramref name="x"/> (perturbed in place), accumulated in double.
    /// </summary>
    public static double[] NumericGradient(Func<double> f, Tensor x, float h)
    {
        var g = new double[x.Size];
        var s = x.Span;
        for (int i = 0; i < g.Length; i++)
        {
            float orig = s[i];
            s[i] = orig + h; double fp = f();
            s[i] = orig - h; double fm = f();
            s[i] = orig;
            // Use the actually representable step.
            g[i] = (fp - fm) / ((double)(orig + h) - (orig - h));
        }
        return g;
    }

    /// <summary>Σ output·weights in double (a fixed random projection makes every output element matter).</summary>
    public static double Dot(Tensor output, float[] weights)
    {
        var s = output.AsReadOnlySpan();
        double acc = 0;
        for (int i = 0; i < s.Length; i++) acc += (double)s[i] * weights[i];
        return acc;
    }

    public static float[] RandomArray(Generator g, int n, double scale = 1.0)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(scale * g.NextNormal());
        return a;
    }
}
