using System.Globalization;
using SingleCell.Models.Data;
using SingleCell.Models.Data.Formats;

namespace SingleCell.Models.DietNetworks;

/// <summary>
/// The genotype route into <see cref="AnnData"/>: PLINK 1 binary sets and PLINK <c>--recode A</c>
/// <c>.raw</c> files become samples × SNPs allele counts (0, 1, 2, NaN for a missing call, as
/// <see cref="Modeling.MatrixValues.Genotypes"/> checks), with the samples (<c>.fam</c>) as obs and the SNPs
/// (<c>.bim</c>) as var. Missing calls stay NaN: only the model imputes them (spec §4.1: as 0).
/// </summary>
public static class GenotypeFiles
{
    /// <summary>obs column with the family id.</summary>
    public const string FamilyIdKey = "family_id";

    /// <summary>var column with the counted allele (PLINK's A1).</summary>
    public const string CountedAlleleKey = "counted_allele";

    /// <summary>Reads <c>prefix.bed/.bim/.fam</c> into an <see cref="AnnData"/> (obs index: individual id; var index: variant id).</summary>
    /// <param name="prefix">Path without extension.</param>
    /// <exception cref="FormatException">The fileset is malformed (see <see cref="Plink.Read"/>).</exception>
    public static AnnData ReadPlink(string prefix)
    {
        var plink = Plink.Read(prefix);
        int n = plink.Samples.Count, m = plink.Variants.Count;
        var data = new AnnData(new GenotypeMatrix(n, m, plink.Genotypes).ToCellMatrix(),
            new DataFrame(Unique(plink.Samples.Select(s => s.IndividualId).ToArray(), plink.Samples.Select(s => s.FamilyId + "_" + s.IndividualId).ToArray()), "iid"),
            new DataFrame(Unique(plink.Variants.Select(v => v.Id).ToArray(), plink.Variants.Select(v => $"{v.Chromosome}:{v.Position}:{v.Allele1}:{v.Allele2}").ToArray()), "snp"));
        data.Obs.Add(new StringColumn(FamilyIdKey, plink.Samples.Select(s => (string?)s.FamilyId).ToArray()));
        data.Obs.Add(new StringColumn("father_id", plink.Samples.Select(s => (string?)s.FatherId).ToArray()));
        data.Obs.Add(new StringColumn("mother_id", plink.Samples.Select(s => (string?)s.MotherId).ToArray()));
        data.Obs.Add(new IntegerColumn("sex", plink.Samples.Select(s => (long)s.Sex).ToArray()));
        data.Obs.Add(new StringColumn("phenotype", plink.Samples.Select(s => (string?)s.Phenotype).ToArray()));
        data.Var.Add(new StringColumn("chromosome", plink.Variants.Select(v => (string?)v.Chromosome).ToArray()));
        data.Var.Add(new IntegerColumn("position", plink.Variants.Select(v => v.Position).ToArray()));
        data.Var.Add(new StringColumn(CountedAlleleKey, plink.Variants.Select(v => (string?)v.Allele1).ToArray()));
        data.Var.Add(new StringColumn("other_allele", plink.Variants.Select(v => (string?)v.Allele2).ToArray()));
        return data;
    }

    /// <summary>
    /// Reads a PLINK <c>--recode A</c> file: a header <c>FID IID PAT MAT SEX PHENOTYPE snp_A …</c>
    /// (whitespace-separated), then one row per sample with the count of the named allele (0, 1, 2) or
    /// <c>NA</c>. The var index is the SNP id (the header name up to its last <c>_</c>), the counted
    /// allele goes to var column <see cref="CountedAlleleKey"/>. A <c>_HET</c> column (<c>--recode AD</c>) is rejected.
    /// </summary>
    /// <param name="path">The <c>.raw</c> file (gzip is detected).</param>
    /// <exception cref="FormatException">The header or a row is malformed; the message names the line and column.</exception>
    public static AnnData ReadRaw(string path)
    {
        using var reader = Graphs.TextFile.Open(path);
        string? header = reader.ReadLine();
        if (header == null) throw new FormatException($"'{path}': empty file; a PLINK .raw header 'FID IID PAT MAT SEX PHENOTYPE …' was expected.");
        var h = header.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (h.Length < 6 || h[0] != "FID" || h[1] != "IID")
            throw new FormatException($"'{path}': the header starts '{string.Join(' ', h.Take(6))}'; a PLINK .raw header 'FID IID PAT MAT SEX PHENOTYPE …' was expected.");
        int m = h.Length - 6;
        var snps = new string[m];
        var alleles = new string?[m];
        for (int j = 0; j < m; j++)
        {
            string name = h[6 + j];
            if (name.EndsWith("_HET", StringComparison.Ordinal)) throw new FormatException($"'{path}': column '{name}' is a dominance column (--recode AD); write the file with --recode A.");
            int cut = name.LastIndexOf('_');
            snps[j] = cut > 0 ? name[..cut] : name;
            alleles[j] = cut > 0 ? name[(cut + 1)..] : null;
        }
        var samples = new List<string[]>();
        var rows = new List<sbyte[]>();
        int lineNo = 1;
        for (string? line; (line = reader.ReadLine()) != null;)
        {
            lineNo++;
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 0) continue;
            if (f.Length != h.Length) throw new FormatException($"'{path}' line {lineNo}: {f.Length} fields; the header has {h.Length}.");
            var row = new sbyte[m];
            for (int j = 0; j < m; j++)
            {
                string v = f[6 + j];
                row[j] = v switch
                {
                    "0" => 0, "1" => 1, "2" => 2, "NA" => -1,
                    _ => throw new FormatException($"'{path}' line {lineNo}, column '{h[6 + j]}': '{v}' is not an allele count (0, 1, 2 or NA)."),
                };
            }
            samples.Add(f[..6]);
            rows.Add(row);
        }
        var values = new sbyte[(long)rows.Count * m];
        for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(values.AsSpan(i * m, m));
        var data = new AnnData(new GenotypeMatrix(rows.Count, m, values).ToCellMatrix(),
            new DataFrame(Unique(samples.Select(s => s[1]).ToArray(), samples.Select(s => s[0] + "_" + s[1]).ToArray()), "iid"),
            new DataFrame(Unique(snps, snps.Select((s, j) => s + "_" + j.ToString(CultureInfo.InvariantCulture)).ToArray()), "snp"));
        data.Obs.Add(new StringColumn(FamilyIdKey, samples.Select(s => (string?)s[0]).ToArray()));
        data.Obs.Add(new StringColumn("father_id", samples.Select(s => (string?)s[2]).ToArray()));
        data.Obs.Add(new StringColumn("mother_id", samples.Select(s => (string?)s[3]).ToArray()));
        data.Obs.Add(new StringColumn("phenotype", samples.Select(s => (string?)s[5]).ToArray()));
        data.Var.Add(new StringColumn(CountedAlleleKey, alleles));
        return data;
    }

    /// <summary>A genotype <see cref="AnnData"/> from a byte matrix and names.</summary>
    /// <param name="genotypes">Samples × SNPs.</param>
    /// <param name="sampleNames">Row names (unique).</param>
    /// <param name="snpNames">Column names (unique).</param>
    public static AnnData ToAnnData(GenotypeMatrix genotypes, string[] sampleNames, string[] snpNames)
    {
        ArgumentNullException.ThrowIfNull(genotypes);
        return new AnnData(genotypes.ToCellMatrix(), sampleNames, snpNames);
    }

    /// <summary><paramref name="names"/> when they are unique, else <paramref name="fallback"/> (which must be).</summary>
    private static string[] Unique(string[] names, string[] fallback)
    {
        if (new HashSet<string>(names, StringComparer.Ordinal).Count == names.Length) return names;
        if (new HashSet<string>(fallback, StringComparer.Ordinal).Count == fallback.Length) return fallback;
        throw new FormatException("Genotype file: names repeat even with the family id or position added.");
    }
}
