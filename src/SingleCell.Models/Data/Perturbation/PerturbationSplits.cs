namespace SingleCell.Models.Data;

/// <summary>Cell indices of a train/validation/test split.</summary>
/// <param name="Train">Training cells.</param>
/// <param name="Validation">Validation cells.</param>
/// <param name="Test">Test cells.</param>
public sealed record DataSplit(int[] Train, int[] Validation, int[] Test);

/// <summary>Seeded splits of a <see cref="PerturbationDataset"/>: by cell, by held-out perturbations, and the GEARS simulation split.</summary>
public static class PerturbationSplits
{
    /// <summary>Random split of cells.</summary>
    /// <param name="cellCount">Number of cells.</param>
    /// <param name="validationFraction">Fraction for validation.</param>
    /// <param name="testFraction">Fraction for test.</param>
    /// <param name="seed">Random seed.</param>
    public static DataSplit ByCell(int cellCount, double validationFraction, double testFraction, int seed)
    {
        var order = Enumerable.Range(0, cellCount).ToArray();
        new Random(seed).Shuffle(order);
        int nt = (int)Math.Round(testFraction * cellCount), nv = (int)Math.Round(validationFraction * cellCount);
        return new DataSplit(Sorted(order[(nt + nv)..]), Sorted(order[nt..(nt + nv)]), Sorted(order[..nt]));
    }

    /// <summary>Split by condition: cells of the listed conditions go to validation/test; control cells stay in training.</summary>
    /// <param name="data">The dataset.</param>
    /// <param name="validationConditions">Canonical conditions held out for validation.</param>
    /// <param name="testConditions">Canonical conditions held out for test.</param>
    public static DataSplit ByPerturbation(PerturbationDataset data, IEnumerable<string> validationConditions, IEnumerable<string> testConditions)
    {
        ArgumentNullException.ThrowIfNull(data);
        var val = validationConditions.ToHashSet(StringComparer.Ordinal);
        var test = testConditions.ToHashSet(StringComparer.Ordinal);
        var train = new List<int>(); var v = new List<int>(); var t = new List<int>();
        for (int i = 0; i < data.Conditions.Length; i++)
            (test.Contains(data.Conditions[i]) ? t : val.Contains(data.Conditions[i]) ? v : train).Add(i);
        return new DataSplit([.. train], [.. v], [.. t]);
    }

    /// <summary>Condition lists of the GEARS simulation split.</summary>
    /// <param name="Train">Training conditions (seen singles, combos with both genes seen that were not held out, and ctrl).</param>
    /// <param name="TestUnseenSingles">Singles whose gene is unseen.</param>
    /// <param name="TestCombo0Seen">Combos with no gene seen.</param>
    /// <param name="TestCombo1Seen">Combos with one gene seen.</param>
    /// <param name="TestCombo2Seen">Held-out combos with both genes seen.</param>
    public sealed record SimulationSplit(string[] Train, string[] TestUnseenSingles, string[] TestCombo0Seen, string[] TestCombo1Seen, string[] TestCombo2Seen)
    {
        /// <summary>All test conditions.</summary>
        public IEnumerable<string> Test => TestUnseenSingles.Concat(TestCombo0Seen).Concat(TestCombo1Seen).Concat(TestCombo2Seen);
    }

    /// <summary>The GEARS "simulation" split: a fraction of single genes is unseen; combos are grouped by how many of their genes are seen.</summary>
    /// <param name="conditions">Canonical conditions (ctrl, A+ctrl, A+B).</param>
    /// <param name="trainGeneFraction">Fraction of single-perturbation genes seen in training (GEARS: 0.75).</param>
    /// <param name="combo2TestFraction">Fraction of combos with both genes seen held out for test (seeded).</param>
    /// <param name="seed">Random seed.</param>
    public static SimulationSplit Simulation(IEnumerable<string> conditions, double trainGeneFraction = 0.75, double combo2TestFraction = 0.25, int seed = 1)
    {
        var all = conditions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var parser = new ConditionParser();
        var singles = all.Where(c => parser.Parse(c).Length == 1).ToArray();
        var combos = all.Where(c => parser.Parse(c).Length >= 2).ToArray();
        var rng = new Random(seed);
        var genes = singles.Select(c => parser.Parse(c)[0]).Distinct().Order(StringComparer.Ordinal).ToArray();
        rng.Shuffle(genes);
        var seen = genes.Take((int)Math.Round(trainGeneFraction * genes.Length)).ToHashSet(StringComparer.Ordinal);
        var unseenSingles = singles.Where(c => !seen.Contains(parser.Parse(c)[0])).ToArray();
        int SeenCount(string c) => parser.Parse(c).Count(seen.Contains);
        var c0 = combos.Where(c => SeenCount(c) == 0).ToArray();
        var c1 = combos.Where(c => SeenCount(c) == 1).ToArray();
        var c2 = combos.Where(c => SeenCount(c) >= 2).ToArray();
        rng.Shuffle(c2);
        var c2Test = c2.Take((int)Math.Round(combo2TestFraction * c2.Length)).Order(StringComparer.Ordinal).ToArray();
        var test = unseenSingles.Concat(c0).Concat(c1).Concat(c2Test).ToHashSet(StringComparer.Ordinal);
        return new SimulationSplit(all.Where(c => !test.Contains(c)).ToArray(), unseenSingles, c0, c1, c2Test);
    }

    private static int[] Sorted(int[] a) { Array.Sort(a); return a; }
}
