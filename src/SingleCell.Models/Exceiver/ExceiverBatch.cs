using SingleCell.Models.Data;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Exceiver;

/// <summary>
/// One mini-batch in the packed layout (spec §2.3): each cell's keys (gene ids and standardised
/// values; masked genes carry the mask token id and value 1), the additive score bias in
/// <see cref="KeyPadding.Additive"/> mode, and the masked genes with their target values.
/// </summary>
internal sealed class ExceiverBatch
{
    /// <summary>Number of cells B.</summary>
    internal required int Cells { get; init; }

    /// <summary>B + 1 offsets of each cell's keys.</summary>
    internal required int[] Offsets { get; init; }

    /// <summary>Gene id of every key (the mask token for masked genes).</summary>
    internal required int[] KeyIds { get; init; }

    /// <summary>Standardised value of every key (1 for masked genes).</summary>
    internal required float[] KeyValues { get; init; }

    /// <summary>+1 for zero-count keys in additive mode; null in exclude mode.</summary>
    internal float[]? KeyBias { get; init; }

    /// <summary>Masked genes per cell M (0 for an inference batch).</summary>
    internal required int Masked { get; init; }

    /// <summary>B × M gene ids of the masked genes.</summary>
    internal required int[] MaskIds { get; init; }

    /// <summary>B × M standardised values of the masked genes (the regression targets).</summary>
    internal required float[] Targets { get; init; }

    /// <summary>The targets as a [B, M] tensor.</summary>
    internal Tensor TargetTensor() => Tensor.FromArray(Targets, Cells, Masked);

    /// <summary>A generator for cell <paramref name="cell"/>'s fixed validation mask.</summary>
    internal static Generator FixedMaskGenerator(ulong seed, int cell) => new(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(cell + 1)));

    /// <summary>
    /// Builds a batch of <paramref name="rows"/>. With <paramref name="masked"/> &gt; 0 each cell's masked genes
    /// are <paramref name="masked"/> distinct draws among its detected genes (partial Fisher–Yates), from
    /// <paramref name="shared"/> in row order, or from <paramref name="perCell"/>(row) when given (fixed masks).
    /// </summary>
    /// <param name="values">Log-normalised cells × genes.</param>
    /// <param name="rows">The batch's rows.</param>
    /// <param name="mean">Scaler means.</param>
    /// <param name="scale">Scaler deviations.</param>
    /// <param name="clip">Upper clip.</param>
    /// <param name="padding">Key padding mode.</param>
    /// <param name="masked">Genes masked per cell (0: none).</param>
    /// <param name="shared">Random source for the masks.</param>
    /// <param name="perCell">Per-cell random source (overrides <paramref name="shared"/>).</param>
    internal static ExceiverBatch Build(CellMatrix values, ReadOnlySpan<int> rows, float[] mean, float[] scale, float clip, KeyPadding padding,
        int masked, Generator? shared, Func<int, Generator>? perCell = null)
    {
        int b = rows.Length, g = values.Columns, token = g;
        var offsets = new int[b + 1];
        for (int i = 0; i < b; i++)
        {
            int nnz = values.RowIndices(rows[i]).Length;
            if (masked > nnz) throw new ArgumentException($"Exceiver: cell {rows[i]} has {nnz} detected genes, fewer than the {masked} to mask.");
            offsets[i + 1] = offsets[i] + (padding == KeyPadding.Exclude ? nnz : g);
        }
        int n = offsets[b];
        var ids = new int[n]; var vals = new float[n];
        var bias = padding == KeyPadding.Additive ? new float[n] : null;
        var maskIds = new int[b * masked]; var targets = new float[b * masked];
        float[]? zeroValue = null;
        if (padding == KeyPadding.Additive)
        {
            zeroValue = new float[g];
            for (int j = 0; j < g; j++) zeroValue[j] = ExceiverPreprocessing.Standardize(0f, mean[j], scale[j], clip);
        }
        int[] order = [];
        for (int i = 0; i < b; i++)
        {
            var ri = values.RowIndices(rows[i]); var rv = values.RowValues(rows[i]);
            int o = offsets[i];
            if (padding == KeyPadding.Exclude)
                for (int k = 0; k < ri.Length; k++) { ids[o + k] = ri[k]; vals[o + k] = ExceiverPreprocessing.Standardize(rv[k], mean[ri[k]], scale[ri[k]], clip); }
            else
            {
                for (int j = 0; j < g; j++) { ids[o + j] = j; vals[o + j] = zeroValue![j]; bias![o + j] = 1f; }
                for (int k = 0; k < ri.Length; k++) { vals[o + ri[k]] = ExceiverPreprocessing.Standardize(rv[k], mean[ri[k]], scale[ri[k]], clip); bias![o + ri[k]] = 0f; }
            }
            if (masked == 0) continue;
            var gen = perCell != null ? perCell(rows[i]) : shared ?? throw new ArgumentNullException(nameof(shared));
            if (order.Length < ri.Length) order = new int[ri.Length];
            for (int k = 0; k < ri.Length; k++) order[k] = k;
            for (int m = 0; m < masked; m++)
            {
                int pick = m + gen.NextInt(ri.Length - m);
                (order[m], order[pick]) = (order[pick], order[m]);
                int k = order[m], gene = ri[k], key = o + (padding == KeyPadding.Exclude ? k : gene);
                maskIds[i * masked + m] = gene;
                targets[i * masked + m] = vals[key];
                ids[key] = token;
                vals[key] = 1f;
            }
        }
        return new ExceiverBatch
        {
            Cells = b, Offsets = offsets, KeyIds = ids, KeyValues = vals, KeyBias = bias,
            Masked = masked, MaskIds = maskIds, Targets = targets,
        };
    }
}
