namespace SingleCell.Models.Evaluation;

/// <summary>
/// The result of a linear sum assignment: matched (row, column) pairs of a cost matrix, in the
/// shape of <c>scipy.optimize.linear_sum_assignment</c>.
/// </summary>
/// <param name="RowIndices">Matched rows in increasing order; length min(rows, columns).</param>
/// <param name="ColumnIndices">The column matched to each entry of <paramref name="RowIndices"/>.</param>
/// <param name="TotalCost">Sum of the original costs of the matched pairs.</param>
public sealed record Assignment(int[] RowIndices, int[] ColumnIndices, double TotalCost)
{
    /// <summary>Number of matched pairs, min(rows, columns).</summary>
    public int Count => RowIndices.Length;
}

/// <summary>
/// Exact solver of the rectangular linear sum assignment problem (the Hungarian / Kuhn–Munkres
/// problem), equivalent to <c>scipy.optimize.linear_sum_assignment</c>.
/// </summary>
/// <remarks>
/// Shortest augmenting paths with row and column potentials (the Jonker–Volgenant form of the
/// Hungarian method): O(n²·m) time for n = min(rows, columns), m = max(rows, columns), in
/// double precision, deterministic (ties are broken by the lowest column index). Every row of
/// the smaller dimension is matched to a distinct column of the larger one.
/// </remarks>
public static class LinearSumAssignment
{
    /// <summary>Finds the matching of minimum (or maximum) total cost.</summary>
    /// <param name="cost">The rows × columns cost matrix. <c>+∞</c> (or <c>−∞</c> when maximising) marks a forbidden pair.</param>
    /// <param name="maximize">Maximise the total instead of minimising it.</param>
    /// <returns>The matched pairs, rows in increasing order, as scipy returns them.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cost"/> is null.</exception>
    /// <exception cref="ArgumentException">The matrix holds NaN, or an infinity on the wrong side.</exception>
    /// <exception cref="InvalidOperationException">Forbidden pairs leave no complete matching (the problem is infeasible).</exception>
    public static Assignment Solve(double[,] cost, bool maximize = false)
    {
        ArgumentNullException.ThrowIfNull(cost);
        int rows = cost.GetLength(0), columns = cost.GetLength(1);
        if (rows == 0 || columns == 0) return new Assignment([], [], 0);
        bool transpose = rows > columns;
        int n = transpose ? columns : rows, m = transpose ? rows : columns;
        // a[i, j] for i < n ≤ m, j < m: the (possibly transposed, negated) cost.
        var a = new double[n, m];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double c = cost[i, j];
                if (double.IsNaN(c)) throw new ArgumentException($"The cost matrix holds NaN at ({i}, {j}).", nameof(cost));
                if (maximize) c = -c;
                if (double.IsNegativeInfinity(c))
                    throw new ArgumentException($"The cost matrix holds {(maximize ? "+∞ while maximising" : "−∞ while minimising")} at ({i}, {j}).", nameof(cost));
                if (transpose) a[j, i] = c; else a[i, j] = c;
            }
        }

        int[] rowToColumn = Solve(a, n, m);
        var rowIndices = new int[n];
        var columnIndices = new int[n];
        if (!transpose)
        {
            for (int i = 0; i < n; i++) { rowIndices[i] = i; columnIndices[i] = rowToColumn[i]; }
        }
        else
        {
            // Rows of the transposed problem are original columns; list the original rows in order.
            var columnOfRow = new int[m];
            Array.Fill(columnOfRow, -1);
            for (int i = 0; i < n; i++) columnOfRow[rowToColumn[i]] = i;
            int k = 0;
            for (int r = 0; r < m; r++)
            {
                if (columnOfRow[r] < 0) continue;
                rowIndices[k] = r; columnIndices[k] = columnOfRow[r]; k++;
            }
        }
        double total = 0;
        for (int k = 0; k < n; k++) total += cost[rowIndices[k], columnIndices[k]];
        return new Assignment(rowIndices, columnIndices, total);
    }

    /// <summary>Shortest augmenting paths on an n × m matrix with n ≤ m; returns the column of each row.</summary>
    private static int[] Solve(double[,] a, int n, int m)
    {
        // 1-based potentials; column 0 is a virtual column holding the row being inserted.
        var u = new double[n + 1];
        var v = new double[m + 1];
        var rowOfColumn = new int[m + 1];   // p[j]: row matched to column j (1-based), 0 = free
        var way = new int[m + 1];
        var minv = new double[m + 1];
        var used = new bool[m + 1];
        for (int i = 1; i <= n; i++)
        {
            rowOfColumn[0] = i;
            int j0 = 0;
            Array.Fill(minv, double.PositiveInfinity);
            Array.Clear(used);
            do
            {
                used[j0] = true;
                int i0 = rowOfColumn[j0];
                double delta = double.PositiveInfinity;
                int j1 = -1;
                for (int j = 1; j <= m; j++)
                {
                    if (used[j]) continue;
                    double cur = a[i0 - 1, j - 1] - u[i0] - v[j];
                    if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
                    if (minv[j] < delta) { delta = minv[j]; j1 = j; }
                }
                if (j1 < 0 || double.IsPositiveInfinity(delta))
                    throw new InvalidOperationException("The cost matrix is infeasible: forbidden (infinite) pairs leave no complete matching.");
                for (int j = 0; j <= m; j++)
                {
                    if (used[j]) { u[rowOfColumn[j]] += delta; v[j] -= delta; }
                    else minv[j] -= delta;
                }
                j0 = j1;
            } while (rowOfColumn[j0] != 0);
            do
            {
                int j1 = way[j0];
                rowOfColumn[j0] = rowOfColumn[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        var result = new int[n];
        for (int j = 1; j <= m; j++)
            if (rowOfColumn[j] != 0) result[rowOfColumn[j] - 1] = j - 1;
        return result;
    }
}
