using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SingleCell.Models.Data;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.DietNetworks;

/// <summary>
/// Samples × SNPs allele counts kept as bytes (0, 1, 2; −1 for a missing call): one byte per genotype,
/// so the paper's 3,450 × 315,345 matrix takes 1.1 GB instead of the 4.4 GB of floats. Diet Networks
/// train from this matrix and standardise each mini-batch on the fly (<see cref="Standardization"/>).
/// </summary>
public sealed class GenotypeMatrix
{
    /// <summary>Wraps row-major counts (no copy).</summary>
    /// <param name="samples">Rows.</param>
    /// <param name="snps">Columns.</param>
    /// <param name="values">Row-major <paramref name="samples"/> × <paramref name="snps"/> values in {−1, 0, 1, 2}.</param>
    /// <exception cref="ArgumentException">The length does not match or a value is outside {−1, 0, 1, 2}.</exception>
    public GenotypeMatrix(int samples, int snps, sbyte[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samples);
        ArgumentOutOfRangeException.ThrowIfNegative(snps);
        ArgumentNullException.ThrowIfNull(values);
        if (values.LongLength != (long)samples * snps)
            throw new ArgumentException($"Genotypes: {values.LongLength} values for {samples} samples × {snps} SNPs.", nameof(values));
        for (long i = 0; i < values.LongLength; i++)
            if (values[i] is < -1 or > 2) throw new ArgumentException($"Genotypes: value {values[i]} at sample {i / Math.Max(1, snps)}, SNP {i % Math.Max(1, snps)}; allele counts are 0, 1, 2 or −1 (missing).", nameof(values));
        Samples = samples; Snps = snps; Values = values;
    }

    /// <summary>Number of samples (rows).</summary>
    public int Samples { get; }

    /// <summary>Number of SNPs (columns).</summary>
    public int Snps { get; }

    /// <summary>Row-major counts; −1 marks a missing call.</summary>
    public sbyte[] Values { get; }

    /// <summary>The counts of sample <paramref name="sample"/>.</summary>
    /// <param name="sample">Row index.</param>
    public ReadOnlySpan<sbyte> Row(int sample) => Values.AsSpan((int)((long)sample * Snps), Snps);

    /// <summary>The number of missing calls.</summary>
    public long MissingCount()
    {
        long n = 0;
        foreach (var v in Values) if (v < 0) n++;
        return n;
    }

    /// <summary>Converts an allele-count matrix (0, 1, 2, NaN for missing; as <see cref="Modeling.MatrixValues.Genotypes"/> checks) to bytes.</summary>
    /// <param name="matrix">Samples × SNPs.</param>
    /// <exception cref="ArgumentException">A value is not 0, 1, 2 or NaN.</exception>
    public static GenotypeMatrix FromCellMatrix(CellMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var values = new sbyte[(long)matrix.Rows * matrix.Columns];
        for (int r = 0; r < matrix.Rows; r++)
        {
            var idx = matrix.RowIndices(r); var val = matrix.RowValues(r);
            long off = (long)r * matrix.Columns;
            for (int k = 0; k < idx.Length; k++)
            {
                float v = val[k];
                values[off + idx[k]] = float.IsNaN(v) ? (sbyte)-1 : v is 0f or 1f or 2f ? (sbyte)v
                    : throw new ArgumentException($"Genotypes: row {r}, column {idx[k]} holds {v}; allele counts are 0, 1, 2 or NaN.", nameof(matrix));
            }
        }
        return new GenotypeMatrix(matrix.Rows, matrix.Columns, values);
    }

    /// <summary>The counts as a sparse float matrix (zeros not stored, NaN for missing): the <see cref="AnnData"/> X of genotypes.</summary>
    public CellMatrix ToCellMatrix()
    {
        long nnz = 0;
        foreach (var v in Values) if (v != 0) nnz++;
        if (nnz > Array.MaxLength) throw new InvalidOperationException($"Genotypes: {nnz:N0} non-zero calls do not fit one sparse matrix; use the byte matrix directly.");
        var ptr = new int[Samples + 1];
        var idx = new int[nnz];
        var val = new float[nnz];
        int p = 0;
        for (int r = 0; r < Samples; r++)
        {
            var row = Row(r);
            for (int j = 0; j < row.Length; j++)
            {
                if (row[j] == 0) continue;
                idx[p] = j;
                val[p++] = row[j] < 0 ? float.NaN : row[j];
            }
            ptr[r + 1] = p;
        }
        return new CellMatrix(Samples, Snps, ptr, idx, val, validate: false);
    }

    /// <summary>The rows <paramref name="rows"/> as a new matrix.</summary>
    /// <param name="rows">Row indices, in output order.</param>
    public GenotypeMatrix SelectRows(ReadOnlySpan<int> rows)
    {
        var values = new sbyte[(long)rows.Length * Snps];
        for (int i = 0; i < rows.Length; i++) Row(rows[i]).CopyTo(values.AsSpan((int)((long)i * Snps), Snps));
        return new GenotypeMatrix(rows.Length, Snps, values);
    }
}

/// <summary>
/// Per-SNP standardisation z = (x − μ)/σ with μ and σ (population sd) from a set of rows (spec §4.2:
/// train + validation), missing calls imputed as 0 first (the authors' loader replaces NA by 0).
/// A SNP with σ = 0 gets scale 1 (its z is 0 for every sample that has the common value).
/// </summary>
public static class Standardization
{
    /// <summary>Batches with at least this many genotypes are standardised on all cores.</summary>
    private const long ParallelElements = 1 << 16;

    private static unsafe void StandardizeRow(sbyte* src, float* mu, float* inv, float* dst, int m)
    {
        int j = 0;
        if (Avx512F.IsSupported)
        {
            for (; j <= m - 16; j += 16)
            {
                var counts = Avx512F.ConvertToVector512Int32(Vector128.Load(src + j));
                var v = Vector512.Max(Vector512.ConvertToSingle(counts), Vector512<float>.Zero);
                ((v - Vector512.Load(mu + j)) * Vector512.Load(inv + j)).Store(dst + j);
            }
        }
        else if (Avx2.IsSupported)
        {
            for (; j <= m - 8; j += 8)
            {
                var eight = Vector128.CreateScalarUnsafe(*(long*)(src + j)).AsSByte();
                var v = Vector256.Max(Vector256.ConvertToSingle(Avx2.ConvertToVector256Int32(eight)), Vector256<float>.Zero);
                ((v - Vector256.Load(mu + j)) * Vector256.Load(inv + j)).Store(dst + j);
            }
        }
        for (; j < m; j++)
        {
            int v = src[j] < 0 ? 0 : src[j];
            dst[j] = (v - mu[j]) * inv[j];
        }
    }

    /// <summary>μ and 1/σ of each SNP over <paramref name="rows"/>.</summary>
    /// <param name="genotypes">The matrix.</param>
    /// <param name="rows">The rows the statistics come from.</param>
    /// <returns>Means and reciprocal standard deviations (1 where σ = 0).</returns>
    public static (float[] Mean, float[] InverseScale) Fit(GenotypeMatrix genotypes, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(genotypes);
        if (rows.IsEmpty) throw new ArgumentException("Standardization: no rows.", nameof(rows));
        int m = genotypes.Snps;
        var sum = new long[m];
        var sumSq = new long[m];
        foreach (int r in rows)
        {
            var row = genotypes.Row(r);
            for (int j = 0; j < m; j++)
            {
                int v = Math.Max((int)row[j], 0);
                sum[j] += v; sumSq[j] += v * v;
            }
        }
        var mean = new float[m];
        var inv = new float[m];
        double n = rows.Length;
        for (int j = 0; j < m; j++)
        {
            double mu = sum[j] / n;
            double var = Math.Max(0, sumSq[j] / n - mu * mu);
            mean[j] = (float)mu;
            inv[j] = var > 1e-12 ? (float)(1 / Math.Sqrt(var)) : 1f;
        }
        return (mean, inv);
    }

    /// <summary>Writes the standardised rows <paramref name="rows"/> (missing as 0 before standardising) into <paramref name="destination"/>.</summary>
    /// <param name="genotypes">The matrix.</param>
    /// <param name="rows">Rows, in output order.</param>
    /// <param name="mean">Per-SNP μ.</param>
    /// <param name="inverseScale">Per-SNP 1/σ.</param>
    /// <param name="destination">rows.Length × SNPs floats.</param>
    public static void Apply(GenotypeMatrix genotypes, ReadOnlySpan<int> rows, ReadOnlySpan<float> mean, ReadOnlySpan<float> inverseScale, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(genotypes);
        int m = genotypes.Snps;
        if (mean.Length != m || inverseScale.Length != m) throw new ArgumentException($"Standardization: statistics for {mean.Length} SNPs, the matrix has {m}.");
        if (destination.Length < (long)rows.Length * m) throw new ArgumentException("Standardization: destination too small.", nameof(destination));
        // z = (max(x, 0) − μ)·s, the same float operations per element in the vector and scalar paths, so the
        // result does not depend on the SIMD width or on how rows are shared between threads. A 128 × 14,079
        // batch is 1.8 M elements: on one core, element by element, it took as long as a third of the step's GEMMs.
        var ids = rows.ToArray();
        unsafe
        {
            fixed (sbyte* g = genotypes.Values)
            fixed (float* mu = mean, inv = inverseScale, dst = destination)
            {
                nint gp = (nint)g, mp = (nint)mu, ip = (nint)inv, dp = (nint)dst;
                int parts = ids.Length * (long)m >= ParallelElements ? Math.Min(ids.Length, 2 * (ForkJoin.WorkerCount + 1)) : 1;
                ForkJoin.For(parts, part =>
                {
                    int from = (int)((long)ids.Length * part / parts), to = (int)((long)ids.Length * (part + 1) / parts);
                    for (int i = from; i < to; i++)
                        StandardizeRow((sbyte*)gp + (long)ids[i] * m, (float*)mp, (float*)ip, (float*)dp + (long)i * m, m);
                });
            }
        }
    }
}
