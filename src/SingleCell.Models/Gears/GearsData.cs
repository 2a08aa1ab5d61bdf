using SingleCell.Models.Data;
using SingleCell.Models.Modeling;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Gears;

/// <summary>
/// The training examples as GEARS makes them (spec §2.1): every cell's condition parsed into perturbed
/// genes; each perturbed cell paired once (seeded) with a random control cell, controls paired with
/// themselves; top-20 DE genes per condition (Welch t-statistic against control, ranked by |t|), the
/// non-dropout top 20 and the non-zero genes that the loss uses.
/// </summary>
internal sealed class GearsData
{
    internal GearsData(AlignedData aligned, GearsSetup setup, ulong seed)
    {
        Aligned = aligned;
        var parser = new ConditionParser(setup.ControlLabels);
        var field = aligned.Schema.Categorical(setup.PerturbationKey);
        var codes = aligned.Codes(setup.PerturbationKey);
        var raw = codes.Select(c => c < 0 ? "" : field.Categories[c]).ToArray();
        Dataset = new PerturbationDataset(aligned.Matrix, raw, aligned.Schema.Genes, parser);
        if (Dataset.ControlCells.Length < 2) throw new DataSchemaException($"GEARS needs at least two control cells (labels {string.Join(", ", parser.ControlLabels)}); the data has {Dataset.ControlCells.Length}.");
        De = Dataset.RankGenes(20);
        var rng = new Generator(seed ^ 0x6EA85UL);
        PairedControl = new int[aligned.CellCount];
        for (int i = 0; i < PairedControl.Length; i++)
            PairedControl[i] = Dataset.Perturbations[i].Length == 0 ? i : Dataset.ControlCells[(int)(rng.NextDouble() * Dataset.ControlCells.Length) % Dataset.ControlCells.Length];
        ControlMean = Dataset.MeanOf(Dataset.ControlCells).Select(v => (float)v).ToArray();
    }

    internal AlignedData Aligned { get; }
    internal PerturbationDataset Dataset { get; }
    internal Dictionary<string, DeResult> De { get; }
    internal int[] PairedControl { get; }
    internal float[] ControlMean { get; }

    /// <summary>The cells of the given conditions (canonical names).</summary>
    internal int[] CellsOf(IEnumerable<string> conditions) =>
        conditions.SelectMany(c => Dataset.CellsByCondition.TryGetValue(c, out var cells) ? cells : []).Order().ToArray();

    /// <summary>Genes the loss uses for a condition: its non-zero genes, all genes for control.</summary>
    internal int[]? LossGenes(string condition) => condition == "ctrl" ? null : De.TryGetValue(condition, out var d) ? d.NonZeroGenes : null;
}
