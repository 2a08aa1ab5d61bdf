namespace SingleCell.Models.Evaluation;

/// <summary>Conversions between row-major float arrays (as tensors hold them) and <c>double[,]</c>.</summary>
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
}
