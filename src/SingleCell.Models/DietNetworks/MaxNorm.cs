using SingleCell.Models.NN;

namespace SingleCell.Models.DietNetworks;

/// <summary>
/// lasagne's <c>norm_constraint(W, max_norm)</c> for weights stored [out, in]: each output unit's row r
/// becomes r · min(‖r‖, c) / (ε + ‖r‖) with ε = 1e-7, so rows with norm ≤ c are (almost) unchanged.
/// </summary>
public static class MaxNorm
{
    /// <summary>Applies the constraint to every trainable 2-D parameter of <paramref name="module"/>.</summary>
    /// <param name="module">The network.</param>
    /// <param name="maxNorm">The bound c (&gt; 0).</param>
    public static void Apply(Module module, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var kv in module.NamedParameters())
            if (kv.Value.RequiresGrad && kv.Value.Shape.Rank == 2) ApplyRows(kv.Value.Value.Span, kv.Value.Shape[1], maxNorm);
    }

    /// <summary>Applies the constraint to each row of a row-major matrix.</summary>
    /// <param name="weights">Row-major [rows, columns] values, changed in place.</param>
    /// <param name="columns">Row length.</param>
    /// <param name="maxNorm">The bound c.</param>
    public static void ApplyRows(Span<float> weights, int columns, float maxNorm)
    {
        if (columns <= 0) return;
        for (int start = 0; start + columns <= weights.Length; start += columns)
        {
            var row = weights.Slice(start, columns);
            double sq = 0;
            foreach (float v in row) sq += (double)v * v;
            double norm = Math.Sqrt(sq);
            double scale = Math.Min(norm, maxNorm) / (1e-7 + norm);
            if (scale >= 1) continue;
            for (int k = 0; k < row.Length; k++) row[k] = (float)(row[k] * scale);
        }
    }
}
