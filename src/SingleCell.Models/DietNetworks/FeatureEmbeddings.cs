namespace SingleCell.Models.DietNetworks;

/// <summary>
/// The per-SNP feature embeddings of spec §4.3, computed from the training (and validation) samples of a
/// fold only, as SNPs × columns row-major floats; missing calls count as genotype 0 (the authors' loader).
/// </summary>
public static class FeatureEmbeddings
{
    /// <summary>
    /// Per-class genotype histograms: for SNP j and class c, the fractions of class-c samples with genotype
    /// 0, 1 and 2 in columns 3c, 3c + 1, 3c + 2 (each 3-block sums to 1; a class without samples gives zeros).
    /// </summary>
    /// <param name="genotypes">Samples × SNPs.</param>
    /// <param name="rows">The samples used.</param>
    /// <param name="labels">Class of every row of <paramref name="genotypes"/> (read at <paramref name="rows"/>).</param>
    /// <param name="classes">Number of classes.</param>
    /// <returns>SNPs × (3·classes).</returns>
    public static float[] Histogram(GenotypeMatrix genotypes, ReadOnlySpan<int> rows, ReadOnlySpan<int> labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(genotypes);
        int m = genotypes.Snps, w = 3 * classes;
        var counts = new int[(long)m * w];
        var perClass = new int[classes];
        foreach (int r in rows)
        {
            int c = labels[r];
            if ((uint)c >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(labels), $"Row {r} has class {c}; {classes} classes.");
            perClass[c]++;
            var row = genotypes.Row(r);
            for (int j = 0; j < m; j++) counts[(long)j * w + 3 * c + Math.Max((int)row[j], 0)]++;
        }
        var result = new float[counts.Length];
        for (long j = 0; j < m; j++)
            for (int c = 0; c < classes; c++)
                for (int g = 0; g < 3; g++)
                {
                    long k = j * w + 3 * c + g;
                    result[k] = perClass[c] == 0 ? 0f : (float)((double)counts[k] / perClass[c]);
                }
        return result;
    }

    /// <summary>The transposed genotypes of <paramref name="rows"/>: SNPs × samples (missing as 0), the input of the random-projection and raw end2end layers.</summary>
    /// <param name="genotypes">Samples × SNPs.</param>
    /// <param name="rows">The samples (columns of the result, in this order).</param>
    public static float[] Transposed(GenotypeMatrix genotypes, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(genotypes);
        int m = genotypes.Snps, n = rows.Length;
        var result = new float[(long)m * n];
        for (int i = 0; i < n; i++)
        {
            var row = genotypes.Row(rows[i]);
            for (int j = 0; j < m; j++) result[(long)j * n + i] = Math.Max((int)row[j], 0);
        }
        return result;
    }

    /// <summary>Divides each column of the SNPs × <paramref name="columns"/> matrix by its L2 norm over the SNPs (spec §4.3, <c>feat_emb / ‖feat_emb‖_col</c>); zero columns stay zero.</summary>
    /// <param name="embedding">Row-major SNPs × columns, changed in place.</param>
    /// <param name="columns">Number of columns.</param>
    public static void NormalizeColumns(Span<float> embedding, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (embedding.Length % columns != 0) throw new ArgumentException($"{embedding.Length} values are not a multiple of {columns} columns.", nameof(embedding));
        int m = embedding.Length / columns;
        var norm = new double[columns];
        for (int j = 0; j < m; j++)
            for (int c = 0; c < columns; c++) { double v = embedding[j * columns + c]; norm[c] += v * v; }
        for (int c = 0; c < columns; c++) norm[c] = norm[c] > 0 ? 1 / Math.Sqrt(norm[c]) : 0;
        for (int j = 0; j < m; j++)
            for (int c = 0; c < columns; c++) embedding[j * columns + c] = (float)(embedding[j * columns + c] * norm[c]);
    }
}
