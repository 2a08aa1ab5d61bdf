using FsCheck;
using FsCheck.Fluent;
using SingleCell.Models.Selection;

namespace SingleCell.Models.Tests.Selection;

/// <summary>FsCheck properties of every set function: f(∅) = 0, incremental gains equal
/// differences of fresh evaluations, monotonicity and diminishing returns.</summary>
public class SetFunctionPropertyTests
{
    private const double Tol = 1e-6;

    public static IEnumerable<string> Functions => Instances.Names;

    /// <summary>A seed, a chain A ⊆ B of subsets and an item x ∉ B, all encoded as masks over 12 items.</summary>
    private static Gen<(int Seed, int MaskA, int MaskExtra, int X)> Cases =>
        from seed in Gen.Choose(0, 1_000_000)
        from a in Gen.Choose(0, (1 << 12) - 1)
        from extra in Gen.Choose(0, (1 << 12) - 1)
        from x in Gen.Choose(0, 11)
        select (seed, a, extra, x);

    private static int[] Items(int mask) => Enumerable.Range(0, 12).Where(i => (mask >> i & 1) != 0).ToArray();

    private static void Check(Func<(int Seed, int MaskA, int MaskExtra, int X), bool> property)
        => Prop.ForAll(Arb.From(Cases), property).Check(Config.QuickThrowOnFailure.WithMaxTest(60));

    [TestCaseSource(nameof(Functions))]
    public void Empty_set_is_zero_and_gains_match_fresh_evaluations(string name) => Check(c =>
    {
        var f = Instances.Create(name, c.Seed);
        f.Reset();
        if (Math.Abs(f.Value) > Tol) return false;
        var a = Items(c.MaskA & ~(1 << c.X));
        double fa = f.Evaluate(a);
        double gain = f.Gain(c.X);
        double fax = f.Evaluate(a.Append(c.X).ToArray());
        return Math.Abs(fax - fa - gain) <= Tol * Math.Max(1, Math.Abs(fax));
    });

    [TestCaseSource(nameof(Functions))]
    public void Monotone(string name) => Check(c =>
    {
        var f = Instances.Create(name, c.Seed);
        var a = Items(c.MaskA);
        double fa = f.Evaluate(a);
        return f.Gain(c.X) >= -Tol && f.Evaluate(a.Append(c.X).ToArray()) >= fa - Tol;
    });

    [TestCaseSource(nameof(Functions))]
    public void Diminishing_returns(string name) => Check(c =>
    {
        var f = Instances.Create(name, c.Seed);
        int maskA = c.MaskA & ~(1 << c.X);
        int maskB = (maskA | c.MaskExtra) & ~(1 << c.X);
        f.Evaluate(Items(maskA));
        double gainA = f.Gain(c.X);
        f.Evaluate(Items(maskB));
        double gainB = f.Gain(c.X);
        return gainA >= gainB - Tol * Math.Max(1, Math.Abs(gainA));
    });
}
