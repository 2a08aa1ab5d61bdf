namespace SingleCell.Models.Data;

/// <summary>A dense row-major float32 matrix: embeddings (<c>obsm</c>, <c>varm</c>) and dense layers.</summary>
public sealed class DenseMatrix
{
    /// <summary>Creates a dense matrix over a row-major array.</summary>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of columns.</param>
    /// <param name="values">Row-major values, length <paramref name="rows"/> × <paramref name="columns"/>.</param>
    /// <exception cref="ArgumentException">The array has the wrong length.</exception>
    public DenseMatrix(int rows, int columns, float[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != (long)rows * columns)
            throw new ArgumentException($"values has {values.Length} entries; expected {rows} × {columns}.", nameof(values));
        Rows = rows;
        Columns = columns;
        Values = values;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Row-major values.</summary>
    public float[] Values { get; }

    /// <summary>The value at (<paramref name="row"/>, <paramref name="column"/>).</summary>
    /// <param name="row">Row number.</param>
    /// <param name="column">Column number.</param>
    public float this[int row, int column] => Values[(long)row * Columns + column];

    /// <summary>Row <paramref name="row"/> as a span.</summary>
    /// <param name="row">Row number.</param>
    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(row * Columns, Columns);
}
