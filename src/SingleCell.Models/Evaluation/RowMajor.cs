namespace SingleCell.Models.Evaluation;

/// <summary>Conversions between row-major float arrays (as tensors hold them) and <c>double[,]</c>, and row selection.</summary>
public static class RowMajor
{
    /// <summary>Copies a row-major array into a rows × <paramref name="columns"/> double matrix.</summary>
    /// <param name="values">Row-major values; the length must be a multiple of <paramref name="columns"/>.</param>
    /// <param name="columns">Number of columns, positive.</param>
    /// <returns>The matrix, values widened to double.</returns>
    /// <exception cref="ArgumentException">The length is not a multiple of <paramref name="columns"/>.</exception>
    public static double[,] ToMatrix(ReadOnlySpan<float> values, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (values.Length % columns != 0)
            throw new ArgumentException($"{values.Length} values do not fill rows of {columns} columns.", nameof(values));
        int rows = values.Length / columns;
        var m = new double[rows, columns];
        for (int i = 0, k = 0; i < rows; i++)
            for (int j = 0; j < columns; j++, k++)
                m[i, j] = values[k];
        return m;
    }

    /// <summary>Copies a double matrix into a row-major float array.</summary>
    /// <param name="matrix">The matrix.</param>
    /// <returns>Row-major values, narrowed to float.</returns>
    public static float[] ToFloats(double[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int rows = matrix.GetLength(0), columns = matrix.GetLength(1);
        var values = new float[rows * columns];
        for (int i = 0, k = 0; i < rows; i++)
            for (int j = 0; j < columns; j++, k++)
                values[k] = (float)matrix[i, j];
        return values;
    }

    /// <summary>The given rows of a matrix, in the given order (e.g. the training cells of a simulation).</summary>
    /// <param name="matrix">The matrix.</param>
    /// <param name="rows">Row numbers to keep.</param>
    /// <returns>A rows.Length × columns copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A row number is outside the matrix.</exception>
    public static double[,] SelectRows(double[,] matrix, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.GetLength(0), columns = matrix.GetLength(1);
        var result = new double[rows.Length, columns];
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            if ((uint)r >= (uint)n) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row {r} is outside 0…{n - 1}.");
            for (int j = 0; j < columns; j++) result[i, j] = matrix[r, j];
        }
        return result;
    }
}
