using Microsoft.Extensions.Logging;
using SingleCell.Models.Data;

namespace SingleCell.Models.Modeling;

public sealed partial record DataSchema
{
    /// <summary>
    /// Validates <paramref name="data"/> against the schema and returns what a model reads: the input
    /// matrix with its columns in model gene order (extra genes dropped and counted), every
    /// categorical field as codes, every numeric field as values.
    /// </summary>
    /// <param name="data">New data (any gene order; more genes than the model is fine).</param>
    /// <param name="logger">Receives a warning with the number of genes dropped; may be null.</param>
    /// <exception cref="DataSchemaException">Genes of the model are missing (the first few are listed), a column or
    /// layer is missing, a category is unknown (policy <see cref="UnknownCategoryPolicy.Error"/>), or a value fails
    /// the <see cref="Values"/> check (the cell and gene are named).</exception>
    public AlignedData Align(AnnData data, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var matrix = Layer == null
            ? data.X ?? throw new DataSchemaException("The data has no X matrix.")
            : data.Layers.TryGetValue(Layer, out var layer) ? layer
            : throw new DataSchemaException($"Layer '{Layer}' is not in the data (layers: {(data.Layers.Count == 0 ? "none" : string.Join(", ", data.Layers.Keys))}).");

        var position = new Dictionary<string, int>(data.NVars, StringComparer.Ordinal);
        for (int j = 0; j < data.NVars; j++) position.TryAdd(data.VarNames[j], j);
        var map = new int[Genes.Count];
        var missing = new List<string>();
        bool identity = data.NVars == Genes.Count;
        for (int g = 0; g < map.Length; g++)
        {
            if (!position.TryGetValue(Genes[g], out map[g])) { missing.Add(Genes[g]); continue; }
            identity &= map[g] == g;
        }
        if (missing.Count > 0)
            throw new DataSchemaException($"{missing.Count} of the model's {Genes.Count} genes are not in the data ({data.NVars} genes): " +
                $"{string.Join(", ", missing.Take(5).Select(m => $"'{m}'"))}{(missing.Count > 5 ? ", …" : "")}.");
        int dropped = data.NVars - Genes.Count;
        if (dropped > 0) logger?.LogWarning("Aligning to the model's {Genes} genes: {Dropped} genes of the data are not in the model and are dropped.", Genes.Count, dropped);
        var aligned = identity ? matrix : matrix.SelectColumns(map);
        CheckValues(aligned, data);

        var codes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var field in Categoricals) codes[field.Key] = Encode(field, data);
        var numerics = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var key in Numerics) numerics[key] = Numeric(key, data);
        return new AlignedData(this, aligned, data.ObsNames, codes, numerics, Math.Max(0, dropped));
    }

    private void CheckValues(CellMatrix m, AnnData data)
    {
        var values = Values;
        for (int r = 0; r < m.Rows; r++)
        {
            var idx = m.RowIndices(r); var val = m.RowValues(r);
            for (int k = 0; k < val.Length; k++)
            {
                float v = val[k];
                string? problem = values switch
                {
                    MatrixValues.Counts => !float.IsFinite(v) || v < 0 || v != MathF.Floor(v) ? "raw counts (finite, non-negative integers)" : null,
                    MatrixValues.NonNegative => !float.IsFinite(v) || v < 0 ? "finite, non-negative values" : null,
                    MatrixValues.Genotypes => !(float.IsNaN(v) || v is 0f or 1f or 2f) ? "allele dosages 0, 1, 2 (NaN for a missing call)" : null,
                    _ => !float.IsFinite(v) ? "finite values" : null,
                };
                if (problem != null)
                    throw new DataSchemaException($"The model needs {problem}: cell '{data.ObsNames[r]}' (row {r}), gene '{Genes[idx[k]]}' has {v}.");
            }
        }
    }

    private static int[] Encode(CategoricalField field, AnnData data)
    {
        var col = Column(data, field.Key);
        var index = new Dictionary<string, int>(field.Categories.Count, StringComparer.Ordinal);
        for (int i = 0; i < field.Categories.Count; i++) index.TryAdd(field.Categories[i], i);
        var codes = new int[col.Length];
        for (int i = 0; i < codes.Length; i++)
        {
            string s = col.GetString(i);
            if (index.TryGetValue(s, out int c)) { codes[i] = c; continue; }
            if (field.Unknown == UnknownCategoryPolicy.Missing) { codes[i] = -1; continue; }
            throw new DataSchemaException($"Cell '{data.ObsNames[i]}' (row {i}) has {field.Key} '{s}', which is not among the model's {field.Categories.Count} categories " +
                $"({string.Join(", ", field.Categories.Take(5))}{(field.Categories.Count > 5 ? ", …" : "")}).");
        }
        return codes;
    }

    private static double[] Numeric(string key, AnnData data)
    {
        var col = Column(data, key);
        var result = new double[col.Length];
        for (int i = 0; i < result.Length; i++)
        {
            double v = col switch
            {
                NumericColumn n => n.Values[i],
                IntegerColumn n => n.Values[i],
                BooleanColumn b => b.Values[i] ? 1 : 0,
                _ => throw new DataSchemaException($"obs column '{key}' is {col.GetType().Name}, not numeric."),
            };
            if (!double.IsFinite(v)) throw new DataSchemaException($"Cell '{data.ObsNames[i]}' (row {i}) has {key} = {v}; a finite number is needed.");
            result[i] = v;
        }
        return result;
    }
}

/// <summary>Data aligned to a <see cref="DataSchema"/>: what a model reads.</summary>
public sealed class AlignedData
{
    private readonly Dictionary<string, int[]> _codes;
    private readonly Dictionary<string, double[]> _numerics;

    internal AlignedData(DataSchema schema, CellMatrix matrix, string[] obsNames, Dictionary<string, int[]> codes, Dictionary<string, double[]> numerics, int droppedGenes)
    {
        Schema = schema; Matrix = matrix; ObsNames = obsNames; _codes = codes; _numerics = numerics; DroppedGenes = droppedGenes;
    }

    /// <summary>The schema aligned to.</summary>
    public DataSchema Schema { get; }

    /// <summary>Cells × genes in model gene order.</summary>
    public CellMatrix Matrix { get; }

    /// <summary>The cells' names.</summary>
    public IReadOnlyList<string> ObsNames { get; }

    /// <summary>Number of cells.</summary>
    public int CellCount => Matrix.Rows;

    /// <summary>Genes of the data that are not in the model (dropped).</summary>
    public int DroppedGenes { get; }

    /// <summary>The codes of categorical field <paramref name="key"/> (−1 for missing or unknown under <see cref="UnknownCategoryPolicy.Missing"/>).</summary>
    /// <param name="key">The field.</param>
    public int[] Codes(string key) => _codes.TryGetValue(key, out var c) ? c
        : throw new KeyNotFoundException($"The schema has no categorical field '{key}'.");

    /// <summary>The values of numeric field <paramref name="key"/>.</summary>
    /// <param name="key">The field.</param>
    public double[] Numeric(string key) => _numerics.TryGetValue(key, out var v) ? v
        : throw new KeyNotFoundException($"The schema has no numeric field '{key}'.");
}
