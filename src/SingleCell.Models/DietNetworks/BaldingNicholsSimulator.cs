using SingleCell.Models.Data;
using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.DietNetworks;

/// <summary>
/// Settings of the hierarchical Balding–Nichols simulator (spec §4.6). The defaults mirror 1000 Genomes:
/// 26 populations in 5 super-populations (7, 4, 5, 5, 5 as AFR, AMR, EAS, EUR, SAS), 133 samples each
/// (3,458 in all), F_ST 0.1 of a super-population against the ancestor and 0.01 of a population against
/// its super-population, MAF ≥ 0.05.
/// </summary>
public sealed record BaldingNicholsOptions
{
    /// <summary>Populations in each super-population (its length is the number of super-populations).</summary>
    public IReadOnlyList<int> PopulationsPerSuperPopulation { get; init; } = [7, 4, 5, 5, 5];

    /// <summary>Samples drawn from each population.</summary>
    public int SamplesPerPopulation { get; init; } = 133;

    /// <summary>SNPs kept (each passes the MAF filter; failing SNPs are redrawn).</summary>
    public int Snps { get; init; } = 10_000;

    /// <summary>F_ST of each super-population against the ancestral frequencies (0 copies the ancestor).</summary>
    public double SuperPopulationFst { get; init; } = 0.1;

    /// <summary>F_ST of each population against its super-population (0 copies it).</summary>
    public double PopulationFst { get; init; } = 0.01;

    /// <summary>Ancestral frequencies are drawn from U(low, 1 − low).</summary>
    public double AncestralLow { get; init; } = 0.05;

    /// <summary>Minimum minor-allele frequency over all samples (0 keeps every SNP).</summary>
    public double MinMaf { get; init; } = 0.05;

    /// <summary>Probability that a call is missing (−1).</summary>
    public double MissingRate { get; init; }

    /// <summary>Seed; the same seed gives the same matrix on any number of threads.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        if (PopulationsPerSuperPopulation is null || PopulationsPerSuperPopulation.Count == 0 || PopulationsPerSuperPopulation.Any(p => p < 1))
            throw new ArgumentOutOfRangeException(nameof(PopulationsPerSuperPopulation), "Each super-population needs ≥ 1 population.");
        if (SamplesPerPopulation < 1) throw new ArgumentOutOfRangeException(nameof(SamplesPerPopulation), "SamplesPerPopulation must be ≥ 1.");
        if (Snps < 1) throw new ArgumentOutOfRangeException(nameof(Snps), "Snps must be ≥ 1.");
        if (!(SuperPopulationFst >= 0 && SuperPopulationFst < 1)) throw new ArgumentOutOfRangeException(nameof(SuperPopulationFst), "F_ST must be in [0, 1).");
        if (!(PopulationFst >= 0 && PopulationFst < 1)) throw new ArgumentOutOfRangeException(nameof(PopulationFst), "F_ST must be in [0, 1).");
        if (!(AncestralLow > 0 && AncestralLow < 0.5)) throw new ArgumentOutOfRangeException(nameof(AncestralLow), "AncestralLow must be in (0, 0.5).");
        if (!(MinMaf >= 0 && MinMaf < AncestralLow + 0.4)) throw new ArgumentOutOfRangeException(nameof(MinMaf), "MinMaf must be in [0, 0.45).");
        if (!(MissingRate >= 0 && MissingRate < 1)) throw new ArgumentOutOfRangeException(nameof(MissingRate), "MissingRate must be in [0, 1).");
        if ((long)PopulationsPerSuperPopulation.Sum() * SamplesPerPopulation * Snps > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(Snps), "Samples × SNPs exceeds one array.");
    }
}

/// <summary>A simulated genotype set: the byte matrix, names and labels.</summary>
/// <param name="Genotypes">Samples × SNPs allele counts.</param>
/// <param name="SampleNames">Row names.</param>
/// <param name="SnpNames">Column names.</param>
/// <param name="Populations">Each sample's population.</param>
/// <param name="SuperPopulations">Each sample's super-population.</param>
public sealed record SimulatedGenotypes(GenotypeMatrix Genotypes, string[] SampleNames, string[] SnpNames, string[] Populations, string[] SuperPopulations)
{
    /// <summary>As an <see cref="AnnData"/> with categorical obs columns <c>population</c> and <c>super_population</c>.</summary>
    public AnnData ToAnnData()
    {
        var data = GenotypeFiles.ToAnnData(Genotypes, SampleNames, SnpNames);
        data.Obs.Add(CategoricalColumn.FromValues("population", Populations));
        data.Obs.Add(CategoricalColumn.FromValues("super_population", SuperPopulations));
        return data;
    }
}

/// <summary>
/// Hierarchical Balding–Nichols genotypes (spec §4.6; bnpsd's <c>draw_p_subpops</c>): ancestral
/// p ~ U(a, 1 − a); super-population p_s ~ Beta(ν p, ν (1 − p)) with ν = 1/F_s − 1; population
/// p_c ~ Beta(ν' p_s, ν' (1 − p_s)) with ν' = 1/F_c − 1; genotypes x ~ Binomial(2, p_c) (Hardy–Weinberg,
/// independent SNPs); SNPs with minor-allele frequency below the filter are redrawn; calls go missing
/// with the given rate. SNPs are drawn in fixed blocks of 1,024, each from its own seeded stream, so
/// the result does not depend on the thread count.
/// </summary>
public static class BaldingNicholsSimulator
{
    private const int Block = 1024;

    /// <summary>Draws a genotype set.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="cancellationToken">Checked between blocks of SNPs.</param>
    public static SimulatedGenotypes Simulate(BaldingNicholsOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BaldingNicholsOptions();
        options.Validate();
        var perSuper = options.PopulationsPerSuperPopulation;
        int pops = perSuper.Sum(), nPer = options.SamplesPerPopulation, n = pops * nPer, m = options.Snps;
        var superOfPop = new int[pops];
        var popNames = new string[pops];
        for (int s = 0, c = 0; s < perSuper.Count; s++)
            for (int k = 0; k < perSuper[s]; k++, c++) { superOfPop[c] = s; popNames[c] = $"S{s + 1}P{k + 1}"; }
        var values = new sbyte[(long)n * m];
        int blocks = (m + Block - 1) / Block;
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellationToken }, b =>
        {
            var rng = new Generator(options.Seed * 0x9E3779B97F4A7C15UL + (ulong)b * 0xD1B54A32D192ED03UL + 1);
            var pSuper = new double[perSuper.Count];
            var pPop = new double[pops];
            var column = new sbyte[n];
            int end = Math.Min(m, (b + 1) * Block);
            for (int j = b * Block; j < end; j++)
            {
                while (true)
                {
                    double p = options.AncestralLow + (1 - 2 * options.AncestralLow) * rng.NextDouble();
                    for (int s = 0; s < pSuper.Length; s++) pSuper[s] = BaldingNichols(rng, p, options.SuperPopulationFst);
                    for (int c = 0; c < pops; c++) pPop[c] = BaldingNichols(rng, pSuper[superOfPop[c]], options.PopulationFst);
                    long alleles = 0, called = 0;
                    for (int i = 0; i < n; i++)
                    {
                        double q = pPop[i / nPer];
                        int g = (rng.NextDouble() < q ? 1 : 0) + (rng.NextDouble() < q ? 1 : 0);
                        if (options.MissingRate > 0 && rng.NextDouble() < options.MissingRate) { column[i] = -1; continue; }
                        column[i] = (sbyte)g;
                        alleles += g; called += 2;
                    }
                    double f = called == 0 ? 0 : (double)alleles / called;
                    if (Math.Min(f, 1 - f) >= options.MinMaf && (called > 0 || options.MinMaf == 0)) break;
                }
                for (int i = 0; i < n; i++) values[(long)i * m + j] = column[i];
            }
        });
        var sampleNames = new string[n];
        var populations = new string[n];
        var supers = new string[n];
        for (int i = 0; i < n; i++)
        {
            int c = i / nPer;
            populations[i] = popNames[c];
            supers[i] = $"S{superOfPop[c] + 1}";
            sampleNames[i] = $"{popNames[c]}_{i % nPer + 1}";
        }
        var snpNames = new string[m];
        for (int j = 0; j < m; j++) snpNames[j] = $"snp{j + 1}";
        return new SimulatedGenotypes(new GenotypeMatrix(n, m, values), sampleNames, snpNames, populations, supers);
    }

    /// <summary>p' ~ Beta(ν p, ν (1 − p)), ν = 1/F − 1; F = 0 returns p.</summary>
    private static double BaldingNichols(Generator rng, double p, double fst)
    {
        if (fst == 0) return p;
        double nu = 1 / fst - 1;
        double x = rng.NextGamma(Math.Max(nu * p, 1e-12)), y = rng.NextGamma(Math.Max(nu * (1 - p), 1e-12));
        return x + y > 0 ? x / (x + y) : p;
    }
}
