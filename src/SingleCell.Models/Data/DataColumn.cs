namespace SingleCell.Models.Data;

/// <summary>One named column of a <see cref="DataFrame"/>.</summary>
public abstract class DataColumn
{
    /// <summary>Creates a column.</summary>
    /// <param name="name">Column name.</param>
    protected DataColumn(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
    }

    /// <summary>Column name.</summary>
    public string Name { get; }

    /// <summary>Number of rows.</summary>
    public abstract int Length { get; }

    /// <summary>The value of row <paramref name="row"/> as text (empty for a missing value).</summary>
    /// <param name="row">Row number.</param>
    public abstract string GetString(int row);
}

/// <summary>A column of strings (AnnData <c>string-array</c>); null marks a missing value.</summary>
public sealed class StringColumn : DataColumn
{
    /// <summary>Creates a string column.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="values">The values.</param>
    public StringColumn(string name, string?[] values) : base(name) => Values = values ?? throw new ArgumentNullException(nameof(values));

    /// <summary>The values.</summary>
    public string?[] Values { get; }

    /// <inheritdoc/>
    public override int Length => Values.Length;

    /// <inheritdoc/>
    public override string GetString(int row) => Values[row] ?? "";
}

/// <summary>A categorical column: integer codes into a list of categories; code −1 is missing.</summary>
public sealed class CategoricalColumn : DataColumn
{
    /// <summary>Creates a categorical column.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="categories">The categories, in order.</param>
    /// <param name="codes">Per-row category number, or −1 for missing.</param>
    /// <param name="ordered">Whether the categories have a meaningful order.</param>
    /// <exception cref="ArgumentException">A code is outside −1..categories−1.</exception>
    public CategoricalColumn(string name, string[] categories, int[] codes, bool ordered = false) : base(name)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(codes);
        foreach (int c in codes)
            if (c < -1 || c >= categories.Length)
                throw new ArgumentException($"Categorical column '{name}' has code {c}, outside -1..{categories.Length - 1}.", nameof(codes));
        Categories = categories;
        Codes = codes;
        Ordered = ordered;
    }

    /// <summary>The categories, in order.</summary>
    public string[] Categories { get; }

    /// <summary>Per-row category number; −1 marks a missing value.</summary>
    public int[] Codes { get; }

    /// <summary>Whether the categories are ordered.</summary>
    public bool Ordered { get; }

    /// <inheritdoc/>
    public override int Length => Codes.Length;

    /// <summary>The category of row <paramref name="row"/>, or null when missing.</summary>
    /// <param name="row">Row number.</param>
    public string? this[int row] => Codes[row] < 0 ? null : Categories[Codes[row]];

    /// <inheritdoc/>
    public override string GetString(int row) => this[row] ?? "";

    /// <summary>Builds a categorical column from string values (categories sorted ordinally).</summary>
    /// <param name="name">Column name.</param>
    /// <param name="values">Per-row values; null is missing.</param>
    public static CategoricalColumn FromValues(string name, IReadOnlyList<string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var cats = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var v in values) if (v is not null) cats.Add(v);
        var categories = cats.ToArray();
        var lookup = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < categories.Length; i++) lookup[categories[i]] = i;
        var codes = new int[values.Count];
        for (int i = 0; i < codes.Length; i++) codes[i] = values[i] is { } v ? lookup[v] : -1;
        return new CategoricalColumn(name, categories, codes);
    }
}

/// <summary>A floating-point column (float32 or float64 on disk; NaN is missing).</summary>
public sealed class NumericColumn : DataColumn
{
    /// <summary>Creates a numeric column.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="values">The values.</param>
    public NumericColumn(string name, double[] values) : base(name) => Values = values ?? throw new ArgumentNullException(nameof(values));

    /// <summary>The values.</summary>
    public double[] Values { get; }

    /// <summary>Whether the column is stored as float32 on disk (read from, and written as, float32).</summary>
    public bool IsSingle { get; init; }

    /// <inheritdoc/>
    public override int Length => Values.Length;

    /// <inheritdoc/>
    public override string GetString(int row) => Values[row].ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>An integer column without missing values.</summary>
public sealed class IntegerColumn : DataColumn
{
    /// <summary>Creates an integer column.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="values">The values.</param>
    public IntegerColumn(string name, long[] values) : base(name) => Values = values ?? throw new ArgumentNullException(nameof(values));

    /// <summary>The values.</summary>
    public long[] Values { get; }

    /// <inheritdoc/>
    public override int Length => Values.Length;

    /// <inheritdoc/>
    public override string GetString(int row) => Values[row].ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A boolean column without missing values.</summary>
public sealed class BooleanColumn : DataColumn
{
    /// <summary>Creates a boolean column.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="values">The values.</param>
    public BooleanColumn(string name, bool[] values) : base(name) => Values = values ?? throw new ArgumentNullException(nameof(values));

    /// <summary>The values.</summary>
    public bool[] Values { get; }

    /// <inheritdoc/>
    public override int Length => Values.Length;

    /// <inheritdoc/>
    public override string GetString(int row) => Values[row] ? "True" : "False";
}

/// <summary>An integer column with missing values (AnnData <c>nullable-integer</c>).</summary>
public sealed class NullableIntegerColumn : DataColumn
{
    /// <summary>Creates a nullable integer column.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="values">The values (ignored where masked).</param>
    /// <param name="mask">True where the value is missing.</param>
    public NullableIntegerColumn(string name, long[] values, bool[] mask) : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(mask);
        if (values.Length != mask.Length) throw new ArgumentException($"Column '{name}': {values.Length} values but {mask.Length} mask entries.", nameof(mask));
        Values = values;
        Mask = mask;
    }

    /// <summary>The values (meaningless where <see cref="Mask"/> is true).</summary>
    public long[] Values { get; }

    /// <summary>True where the value is missing.</summary>
    public bool[] Mask { get; }

    /// <inheritdoc/>
    public override int Length => Values.Length;

    /// <summary>The value of row <paramref name="row"/>, or null when missing.</summary>
    /// <param name="row">Row number.</param>
    public long? this[int row] => Mask[row] ? null : Values[row];

    /// <inheritdoc/>
    public override string GetString(int row) => Mask[row] ? "" : Values[row].ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A boolean column with missing values (AnnData <c>nullable-boolean</c>).</summary>
public sealed class NullableBooleanColumn : DataColumn
{
    /// <summary>Creates a nullable boolean column.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="values">The values (ignored where masked).</param>
    /// <param name="mask">True where the value is missing.</param>
    public NullableBooleanColumn(string name, bool[] values, bool[] mask) : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(mask);
        if (values.Length != mask.Length) throw new ArgumentException($"Column '{name}': {values.Length} values but {mask.Length} mask entries.", nameof(mask));
        Values = values;
        Mask = mask;
    }

    /// <summary>The values (meaningless where <see cref="Mask"/> is true).</summary>
    public bool[] Values { get; }

    /// <summary>True where the value is missing.</summary>
    public bool[] Mask { get; }

    /// <inheritdoc/>
    public override int Length => Values.Length;

    /// <summary>The value of row <paramref name="row"/>, or null when missing.</summary>
    /// <param name="row">Row number.</param>
    public bool? this[int row] => Mask[row] ? null : Values[row];

    /// <inheritdoc/>
    public override string GetString(int row) => Mask[row] ? "" : Values[row] ? "True" : "False";
}
