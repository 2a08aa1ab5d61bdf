using SingleCell.Models.Data;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Exceiver;

/// <summary>Small synthetic count data with two cell types whose gene programs differ (seeded).</summary>
internal static class ExceiverTestData
{
    internal const string TypeKey = "cell_type";

    /// <summary>
    /// Cells × genes Poisson counts: type "A" expresses the first half of the genes at rate 3 and the
    /// rest at 0.3, type "B" the reverse; gene g's rate is scaled by 1 + (g mod 3)/2 so genes differ.
    /// </summary>
    internal static AnnData Counts(int cells = 60, int genes = 24, int seed = 1, string genePrefix = "g")
    {
        var gen = new Generator(seed);
        var dense = new float[cells * genes];
        var types = new int[cells];
        for (int c = 0; c < cells; c++)
        {
            types[c] = c % 2;
            for (int g = 0; g < genes; g++)
            {
                bool high = (g < genes / 2) == (types[c] == 0);
                double rate = (high ? 3.0 : 0.3) * (1 + (g % 3) / 2.0);
                dense[c * genes + g] = Poisson(gen, rate);
            }
        }
        var data = new AnnData(CellMatrix.FromDense(dense, cells, genes),
            Enumerable.Range(0, cells).Select(i => $"cell{i}").ToArray(),
            Enumerable.Range(0, genes).Select(i => $"{genePrefix}{i}").ToArray());
        data.Obs.Add(new CategoricalColumn(TypeKey, ["A", "B"], types));
        return data;
    }

    private static int Poisson(Generator gen, double rate)
    {
        double l = Math.Exp(-rate), p = 1;
        int k = 0;
        do { k++; p *= gen.NextDouble(); } while (p > l);
        return k - 1;
    }
}
