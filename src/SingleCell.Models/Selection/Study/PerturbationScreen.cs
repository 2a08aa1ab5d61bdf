using SingleCell.Models.Data;

namespace SingleCell.Models.Selection.Study;

/// <summary>
/// A perturbation screen as the selection study sees it: the cells (an <see cref="AnnData"/>), the
/// perturbations (labels <c>A</c> or <c>A+B</c>), their observed pseudo-bulk means, the control mean and
/// each perturbation's top-20 non-dropout DE genes (GEARS' test-metric genes).
/// </summary>
public sealed class PerturbationScreen
{
    private readonly double[][] _means;
    private readonly int[][] _de;
    private readonly int[][] _cells;

    private PerturbationScreen(AnnData data, PerturbationDataset dataset, string conditionKey, string[] labels, string[][] genes, int[][] cells)
    {
        Data = data;
        Dataset = dataset;
        ConditionKey = conditionKey;
        Perturbations = labels;
        PerturbationGenes = genes;
        _cells = cells;
        ControlMean = dataset.MeanOf(dataset.ControlCells).Select(v => (float)v).ToArray();
        _means = cells.Select(c => dataset.MeanOf(c)).ToArray();
        var de = dataset.RankGenes(20);
        _de = labels.Select(l => de[ToCanonical(l)].TopNonDropoutGenes).ToArray();
    }

    /// <summary>The cells (X holds the log-normalised expression the metrics use).</summary>
    public AnnData Data { get; }

    /// <summary>The cells as a <see cref="PerturbationDataset"/> (canonical conditions, control cells).</summary>
    public PerturbationDataset Dataset { get; }

    /// <summary>The obs column holding the condition labels.</summary>
    public string ConditionKey { get; }

    /// <summary>Read-out genes (columns).</summary>
    public IReadOnlyList<string> Genes => Dataset.GeneNames;

    /// <summary>Non-control perturbations, as <c>A</c> or <c>A+B</c> (genes sorted), sorted ordinally.</summary>
    public IReadOnlyList<string> Perturbations { get; }

    /// <summary>The perturbed genes of each perturbation.</summary>
    public IReadOnlyList<string[]> PerturbationGenes { get; }

    /// <summary>Mean expression of the control cells.</summary>
    public float[] ControlMean { get; }

    /// <summary>Observed pseudo-bulk mean of perturbation <paramref name="p"/>.</summary>
    /// <param name="p">Perturbation index.</param>
    public float[] Mean(int p) => _means[p].Select(v => (float)v).ToArray();

    /// <summary>Observed mean change (mean − control) of perturbation <paramref name="p"/>, in double.</summary>
    /// <param name="p">Perturbation index.</param>
    public double[] Change(int p)
    {
        var m = _means[p];
        var d = new double[m.Length];
        for (int g = 0; g < d.Length; g++) d[g] = m[g] - ControlMean[g];
        return d;
    }

    /// <summary>The top-20 non-dropout DE genes of perturbation <paramref name="p"/> (column indices).</summary>
    /// <param name="p">Perturbation index.</param>
    public int[] DeGenes(int p) => _de[p];

    /// <summary>The cells of perturbation <paramref name="p"/>.</summary>
    /// <param name="p">Perturbation index.</param>
    public int[] Cells(int p) => _cells[p];

    /// <summary>Index of a label (<c>A</c>, <c>A+B</c>, <c>A+ctrl</c>, in any gene order), or −1.</summary>
    /// <param name="label">The perturbation.</param>
    public int IndexOf(string label)
    {
        var genes = new ConditionParser().Parse(label);
        int i = Array.BinarySearch((string[])Perturbations, string.Join('+', genes), StringComparer.Ordinal);
        return i >= 0 ? i : -1;
    }

    /// <summary>
    /// The cells of the given perturbations plus all control cells, as a new <see cref="AnnData"/> with the same
    /// genes and obs columns: what a model is trained on at one budget.
    /// </summary>
    /// <param name="perturbations">Perturbation indices.</param>
    public AnnData Subset(IReadOnlyList<int> perturbations)
    {
        var rows = new List<int>(Dataset.ControlCells);
        foreach (int p in perturbations) rows.AddRange(_cells[p]);
        rows.Sort();
        return Data.SelectObs(rows.ToArray());
    }

    /// <summary>Builds the screen from cells with a condition column.</summary>
    /// <param name="data">Cells × genes, X log-normalised (as GEARS reads it).</param>
    /// <param name="conditionKey">The obs column with labels such as <c>ctrl</c>, <c>A+ctrl</c>, <c>A+B</c>, <c>control</c>.</param>
    /// <param name="minCells">Perturbations with fewer cells are dropped.</param>
    /// <exception cref="ArgumentException">The column is missing, X is missing, or fewer than two control cells exist.</exception>
    public static PerturbationScreen FromAnnData(AnnData data, string conditionKey = "condition", int minCells = 2)
    {
        ArgumentNullException.ThrowIfNull(data);
        var x = data.X ?? throw new ArgumentException("The AnnData has no X.", nameof(data));
        var col = data.Obs.Find(conditionKey) ?? throw new ArgumentException($"obs has no column '{conditionKey}' (columns: {string.Join(", ", data.Obs.ColumnNames)}).", nameof(conditionKey));
        var labels = new string[col.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = col.GetString(i);
        var ds = new PerturbationDataset(x, labels, data.VarNames);
        if (ds.ControlCells.Length < 2) throw new ArgumentException($"Column '{conditionKey}' names fewer than two control cells (labels ctrl, control, non-targeting).", nameof(conditionKey));
        var groups = ds.CellsByCondition.Where(kv => kv.Key != "ctrl" && kv.Value.Length >= minCells)
            .Select(kv => (Label: FromCanonical(kv.Key), Cells: kv.Value)).OrderBy(g => g.Label, StringComparer.Ordinal).ToArray();
        return new PerturbationScreen(data, ds, conditionKey, groups.Select(g => g.Label).ToArray(),
            groups.Select(g => g.Label.Split('+')).ToArray(), groups.Select(g => g.Cells).ToArray());
    }

    /// <summary><c>A+ctrl</c> → <c>A</c>; <c>A+B</c> stays.</summary>
    internal static string FromCanonical(string canonical) => canonical.EndsWith("+ctrl", StringComparison.Ordinal) ? canonical[..^5] : canonical;

    /// <summary><c>A</c> → <c>A+ctrl</c>; <c>A+B</c> stays.</summary>
    internal static string ToCanonical(string label) => label.Contains('+') ? label : label + "+ctrl";
}
