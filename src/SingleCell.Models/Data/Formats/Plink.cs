using System.Globalization;

namespace SingleCell.Models.Data.Formats;

/// <summary>One SNP from a PLINK <c>.bim</c> file.</summary>
/// <param name="Chromosome">Chromosome code.</param>
/// <param name="Id">Variant id.</param>
/// <param name="GeneticDistance">Position in morgans or centimorgans (0 when unknown).</param>
/// <param name="Position">Base-pair coordinate.</param>
/// <param name="Allele1">Allele 1 (the counted allele; usually minor).</param>
/// <param name="Allele2">Allele 2.</param>
public sealed record PlinkVariant(string Chromosome, string Id, double GeneticDistance, long Position, string Allele1, string Allele2);

/// <summary>One sample from a PLINK <c>.fam</c> file.</summary>
/// <param name="FamilyId">Family id.</param>
/// <param name="IndividualId">Individual id.</param>
/// <param name="FatherId">Paternal id (<c>0</c> when a founder).</param>
/// <param name="MotherId">Maternal id (<c>0</c> when a founder).</param>
/// <param name="Sex">1 male, 2 female, 0 unknown.</param>
/// <param name="Phenotype">Phenotype field as written.</param>
public sealed record PlinkSample(string FamilyId, string IndividualId, string FatherId, string MotherId, int Sex, string Phenotype);

/// <summary>A PLINK 1 binary fileset decoded to a samples × SNPs matrix of allele-1 counts.</summary>
/// <param name="Samples">The samples (rows).</param>
/// <param name="Variants">The SNPs (columns).</param>
/// <param name="Genotypes">Row-major samples × SNPs counts of allele 1 (0, 1, 2) with -1 for missing.</param>
public sealed record PlinkGenotypes(IReadOnlyList<PlinkSample> Samples, IReadOnlyList<PlinkVariant> Variants, sbyte[] Genotypes)
{
    /// <summary>The genotype of sample <paramref name="sample"/> at SNP <paramref name="snp"/>: 0, 1, 2, or -1 for missing.</summary>
    /// <param name="sample">Sample (row) index.</param>
    /// <param name="snp">SNP (column) index.</param>
    public sbyte this[int sample, int snp] => Genotypes[(long)sample * Variants.Count + snp];

    /// <summary>The genotypes as floats (row-major samples × SNPs) with <see cref="float.NaN"/> for missing.</summary>
    public float[] ToFloat()
    {
        var result = new float[Genotypes.Length];
        for (int i = 0; i < result.Length; i++) result[i] = Genotypes[i] < 0 ? float.NaN : Genotypes[i];
        return result;
    }
}

/// <summary>Reads PLINK 1 binary filesets (<c>.bed</c>/<c>.bim</c>/<c>.fam</c>, SNP-major).</summary>
/// <remarks>
/// Each SNP occupies ⌈n/4⌉ bytes; sample <c>i</c> is in bits <c>2(i mod 4)</c>..<c>2(i mod 4)+1</c> of byte
/// <c>i/4</c>. Codes: <c>00</c> homozygous allele 1 (count 2), <c>01</c> missing (-1), <c>10</c> heterozygous (1),
/// <c>11</c> homozygous allele 2 (0).
/// </remarks>
public static class Plink
{
    private static readonly sbyte[] s_codeToCount = [2, -1, 1, 0];

    /// <summary>Reads <c>prefix.bed</c>, <c>prefix.bim</c> and <c>prefix.fam</c>.</summary>
    /// <param name="prefix">The path without extension.</param>
    /// <param name="progress">Reports the number of SNPs decoded (every 1,024).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="FileNotFoundException">One of the three files does not exist.</exception>
    /// <exception cref="DataFormatException">A <c>.fam</c> or <c>.bim</c> line is malformed, the magic bytes are wrong, the file is
    /// individual-major, or the <c>.bed</c> size disagrees with the sample and SNP counts; the message names the file and line.</exception>
    /// <exception cref="NotSupportedException">More than <see cref="Array.MaxLength"/> genotypes (one array holds them all).</exception>
    /// <remarks>The <c>.bed</c> size is checked against the <c>.fam</c> and <c>.bim</c> line counts before it is read, so memory is bounded by the files' sizes (one byte per genotype, four genotypes per <c>.bed</c> byte).</remarks>
    public static PlinkGenotypes Read(string prefix, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var samples = ReadFam(prefix + ".fam");
        var variants = ReadBim(prefix + ".bim");
        string bedPath = prefix + ".bed";
        if (!File.Exists(bedPath)) throw new FileNotFoundException($"File '{bedPath}' does not exist.", bedPath);
        int n = samples.Count, m = variants.Count, bytesPerSnp = (n + 3) / 4;
        long bedLength = new FileInfo(bedPath).Length, need = 3 + (long)bytesPerSnp * m;
        if (bedLength != need)
            throw new DataFormatException(bedPath, 0, $"{bedLength} bytes; {n} samples × {m} SNPs in SNP-major order need {need}.");
        if ((long)n * m > Array.MaxLength)
            throw new NotSupportedException($"{bedPath}: {n} samples × {m} SNPs exceed {Array.MaxLength} genotypes, the most one array holds.");
        byte[] bed = File.ReadAllBytes(bedPath);
        if (bed.Length != need) throw new DataFormatException(bedPath, 0, $"the file changed while it was read ({bed.Length} bytes; {need} expected).");
        if (bed[0] != 0x6C || bed[1] != 0x1B)
            throw new DataFormatException(bedPath, 0, $"not a PLINK 1 .bed file (magic bytes 0x6C 0x1B missing; found 0x{bed[0]:X2} 0x{bed[1]:X2}).");
        if (bed[2] != 0x01) throw new DataFormatException(bedPath, 0, $"mode byte 0x{bed[2]:X2}: only SNP-major .bed files (mode byte 0x01) are supported.");
        var g = new sbyte[(long)n * m];
        for (int j = 0; j < m; j++)
        {
            if ((j & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(j);
            }
            int off = 3 + j * bytesPerSnp;
            for (int i = 0; i < n; i++)
            {
                int code = (bed[off + (i >> 2)] >> ((i & 3) << 1)) & 3;
                g[(long)i * m + j] = s_codeToCount[code];
            }
        }
        return new PlinkGenotypes(samples, variants, g);
    }

    /// <summary>Reads a <c>.fam</c> file.</summary>
    /// <param name="path">The file path.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A line has fewer than 6 fields or a sex code other than 0, 1 or 2; the message names the file and line.</exception>
    public static List<PlinkSample> ReadFam(string path)
    {
        var result = new List<PlinkSample>();
        long lineNumber = 0;
        foreach (var line in ReadLines(path))
        {
            lineNumber++;
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 0) continue;
            if (f.Length < 6) throw new DataFormatException(path, lineNumber, $"{f.Length} fields; a .fam line has 6 (family, individual, father, mother, sex, phenotype).");
            if (!TextNumbers.TryInteger(f[4], out long sex) || sex is < 0 or > 2)
                throw new DataFormatException(path, lineNumber, $"sex code '{TextNumbers.Show(f[4])}' is not 0 (unknown), 1 (male) or 2 (female).");
            result.Add(new PlinkSample(f[0], f[1], f[2], f[3], (int)sex, f[5]));
        }
        return result;
    }

    /// <summary>Reads a <c>.bim</c> file.</summary>
    /// <param name="path">The file path.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A line has fewer than 6 fields, a genetic distance that is not a finite number, or a
    /// base-pair position that is not a 64-bit integer; the message names the file and line.</exception>
    public static List<PlinkVariant> ReadBim(string path)
    {
        var result = new List<PlinkVariant>();
        long lineNumber = 0;
        foreach (var line in ReadLines(path))
        {
            lineNumber++;
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 0) continue;
            if (f.Length < 6) throw new DataFormatException(path, lineNumber, $"{f.Length} fields; a .bim line has 6 (chromosome, id, distance, position, allele 1, allele 2).");
            if (!TextNumbers.TryFiniteDouble(f[2], out double distance))
                throw new DataFormatException(path, lineNumber, $"genetic distance '{TextNumbers.Show(f[2])}' is not a finite number.");
            if (!TextNumbers.TryInteger(f[3], out long position))
                throw new DataFormatException(path, lineNumber, $"base-pair position '{TextNumbers.Show(f[3])}' is not an integer within the 64-bit range.");
            result.Add(new PlinkVariant(f[0], f[1], distance, position, f[4], f[5]));
        }
        return result;
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"File '{path}' does not exist.", path);
        return File.ReadLines(path);
    }

    /// <summary>Reads a whitespace-separated table with a header row and returns column <paramref name="valueColumn"/> keyed by column <paramref name="keyColumn"/>.</summary>
    /// <param name="path">The file path (e.g. HapMap <c>relationships_w_pops_121708.txt</c>).</param>
    /// <param name="keyColumn">Zero-based key column (1 for the individual id).</param>
    /// <param name="valueColumn">Zero-based value column (6 for the population).</param>
    public static Dictionary<string, string> ReadLabels(string path, int keyColumn = 1, int valueColumn = 6)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        bool header = true;
        foreach (var line in File.ReadLines(path))
        {
            if (header) { header = false; continue; }
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > Math.Max(keyColumn, valueColumn)) result[f[keyColumn]] = f[valueColumn];
        }
        return result;
    }
}
