using SingleCell.Models.Data;

namespace SingleCell.Models.Modeling;

/// <summary>What the values of a model's input matrix must be; <see cref="DataSchema.Align"/> checks every stored value.</summary>
public enum MatrixValues
{
    /// <summary>Any finite value (e.g. log-normalised or scaled expression).</summary>
    Finite,

    /// <summary>Raw counts: finite, non-negative integers.</summary>
    Counts,

    /// <summary>Finite and non-negative (e.g. log1p-normalised expression).</summary>
    NonNegative,

    /// <summary>Allele dosages 0, 1 or 2; NaN marks a missing call.</summary>
    Genotypes,
}

/// <summary>What <see cref="DataSchema.Align"/> does with a category the model has not seen.</summary>
public enum UnknownCategoryPolicy
{
    /// <summary>Throw a <see cref="DataSchemaException"/> naming the cell and the category.</summary>
    Error,

    /// <summary>Give the cell code −1 (the model treats it as missing or unlabelled).</summary>
    Missing,
}

/// <summary>A categorical obs field of a schema: its key and its categories in code order.</summary>
/// <param name="Key">The obs column.</param>
/// <param name="Categories">The categories; a cell's code is the index of its category here.</param>
/// <param name="Unknown">What aligning data with another category does.</param>
public sealed record CategoricalField(string Key, IReadOnlyList<string> Categories, UnknownCategoryPolicy Unknown = UnknownCategoryPolicy.Error)
{
    /// <summary>The code of <paramref name="category"/>, or −1.</summary>
    /// <param name="category">A category.</param>
    public int CodeOf(string category)
    {
        for (int i = 0; i < Categories.Count; i++) if (Categories[i] == category) return i;
        return -1;
    }
}

/// <summary>
/// What a model was set up on, stored with it (scvi-tools' data registry): which matrix (X or a
/// named layer) and what its values must be, the genes in model order, the categorical fields with
/// their categories in code order, and the numeric obs fields a model reads. New data is validated
/// and reordered against it by <see cref="Align"/>; models never reorder genes or encode labels themselves.
/// </summary>
/// <param name="Layer">The layer holding the input matrix, or null for X.</param>
/// <param name="Values">What the matrix's values must be.</param>
/// <param name="Genes">Variable names in the order the model uses.</param>
/// <param name="Categoricals">Categorical obs fields.</param>
/// <param name="Numerics">Numeric obs fields (library size, covariates).</param>
public sealed partial record DataSchema(
    string? Layer,
    MatrixValues Values,
    IReadOnlyList<string> Genes,
    IReadOnlyList<CategoricalField> Categoricals,
    IReadOnlyList<string> Numerics)
{
    /// <summary>The number of genes.</summary>
    public int GeneCount => Genes.Count;

    /// <summary>The categorical field <paramref name="key"/>.</summary>
    /// <param name="key">The obs column.</param>
    /// <exception cref="KeyNotFoundException">The schema has no such field.</exception>
    public CategoricalField Categorical(string key)
    {
        foreach (var f in Categoricals) if (f.Key == key) return f;
        throw new KeyNotFoundException($"The data schema has no categorical field '{key}' (fields: {string.Join(", ", Categoricals.Select(c => c.Key))}).");
    }

    /// <summary>
    /// The schema of <paramref name="data"/> as it is: all its genes in its order; for each categorical
    /// key the categories present, in the column's category order when it is categorical, else sorted
    /// ordinally; the numeric keys as given. The data must pass the checks of <paramref name="values"/>.
    /// </summary>
    /// <param name="data">The data a model is set up on.</param>
    /// <param name="values">What the matrix's values must be.</param>
    /// <param name="layer">The layer holding the matrix, or null for X.</param>
    /// <param name="categoricals">Categorical obs keys (and their unknown-category policies).</param>
    /// <param name="numerics">Numeric obs keys.</param>
    /// <exception cref="DataSchemaException">A key or the layer is missing, or a value fails the check.</exception>
    public static DataSchema FromData(AnnData data, MatrixValues values, string? layer = null,
        IEnumerable<(string Key, UnknownCategoryPolicy Unknown)>? categoricals = null, IEnumerable<string>? numerics = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var fields = new List<CategoricalField>();
        foreach (var (key, unknown) in categoricals ?? [])
        {
            var col = Column(data, key);
            var present = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < col.Length; i++) present.Add(col.GetString(i));
            var ordered = col is CategoricalColumn cat
                ? cat.Categories.Where(present.Contains).Concat(present.Contains("") && !cat.Categories.Contains("") ? [""] : [])
                : present.Order(StringComparer.Ordinal);
            fields.Add(new CategoricalField(key, ordered.ToArray(), unknown));
        }
        var schema = new DataSchema(layer, values, data.VarNames.ToArray(), fields, (numerics ?? []).ToArray());
        schema.Align(data); // validates values and numeric fields once, here
        return schema;
    }

    /// <summary>The same schema keeping only the categories given for <paramref name="key"/> (in that order).</summary>
    /// <param name="key">The categorical field.</param>
    /// <param name="categories">Its new categories.</param>
    public DataSchema WithCategories(string key, IReadOnlyList<string> categories)
    {
        var field = Categorical(key);
        return this with { Categoricals = Categoricals.Select(c => c.Key == key ? field with { Categories = categories.ToArray() } : c).ToArray() };
    }

    internal static DataColumn Column(AnnData data, string key) =>
        data.Obs.Find(key) ?? throw new DataSchemaException($"obs has no column '{key}' (columns: {string.Join(", ", data.Obs.ColumnNames)}).");
}

/// <summary>Data that does not fit a model's <see cref="DataSchema"/>: missing genes, unknown categories, missing columns or invalid values.</summary>
public sealed class DataSchemaException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What does not fit, naming the cell, gene, column or category.</param>
    public DataSchemaException(string message) : base(message) { }
}
