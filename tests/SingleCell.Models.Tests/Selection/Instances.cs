using SingleCell.Models.Data;
using SingleCell.Models.Graphs;
using SingleCell.Models.Selection;

namespace SingleCell.Models.Tests.Selection;

/// <summary>Random small instances of every set function, built from a seed.</summary>
internal static class Instances
{
    public static readonly string[] Names =
        { "coverage", "facility", "facility-dense", "saturated", "feature-sqrt", "feature-log1p", "feature-sigmoid", "graphcut", "logdet", "graphreach", "graphreach-weighted" };

    public static SetFunction Create(string name, int seed, int n = 12)
    {
        var rng = new Random(seed);
        return name switch
        {
            "coverage" => Coverage(rng, n),
            "facility" => new FacilityLocation(Sparse(rng, n, 15, 0.3)),
            "facility-dense" => FacilityLocation.FromDense(Dense(rng, n, 8), n, 8),
            "saturated" => new SaturatedCoverage(Sparse(rng, n, 10, 0.4), 0.3),
            "feature-sqrt" => new FeatureBased(Sparse(rng, n, 6, 0.5), ConcaveFunction.Sqrt),
            "feature-log1p" => new FeatureBased(Sparse(rng, n, 6, 0.5), ConcaveFunction.Log1p),
            "feature-sigmoid" => new FeatureBased(Sparse(rng, n, 6, 0.5), ConcaveFunction.Sigmoid),
            "graphcut" => new GraphCut(SymmetricSparse(rng, n, 0.4), 2.0),
            "logdet" => new LogDeterminant(Gram(rng, n, 4), 0.5),
            "graphreach" => GraphReach.Coverage(RandomGraph(rng, n)),
            "graphreach-weighted" => GraphReach.FacilityLocation(RandomGraph(rng, n)),
            _ => throw new ArgumentException(name),
        };
    }

    public static WeightedCoverage Coverage(Random rng, int n, int elements = 20)
    {
        var ptr = new List<int> { 0 };
        var el = new List<int>();
        for (int i = 0; i < n; i++)
        {
            var set = new SortedSet<int>();
            int size = rng.Next(1, 6);
            for (int k = 0; k < size; k++) set.Add(rng.Next(elements));
            el.AddRange(set);
            ptr.Add(el.Count);
        }
        var w = new double[elements];
        for (int e = 0; e < elements; e++) w[e] = rng.Next(1, 5);
        return new WeightedCoverage(ptr.ToArray(), el.ToArray(), w);
    }

    public static CellMatrix Sparse(Random rng, int rows, int cols, double density)
    {
        var d = new float[rows * cols];
        for (int i = 0; i < d.Length; i++) if (rng.NextDouble() < density) d[i] = (float)rng.Next(1, 10) / 4;
        return CellMatrix.FromDense(d, rows, cols);
    }

    public static float[] Dense(Random rng, int rows, int cols)
    {
        var d = new float[rows * cols];
        for (int i = 0; i < d.Length; i++) d[i] = (float)rng.NextDouble();
        return d;
    }

    public static CellMatrix SymmetricSparse(Random rng, int n, double density)
    {
        var d = new float[n * n];
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
                if (rng.NextDouble() < density) d[i * n + j] = d[j * n + i] = (float)rng.Next(1, 8) / 2;
        return CellMatrix.FromDense(d, n, n);
    }

    /// <summary>K = X Xᵀ for a random n × r matrix X: symmetric PSD.</summary>
    public static CellMatrix Gram(Random rng, int n, int r)
    {
        var x = new double[n * r];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble() * 2 - 1;
        var k = new float[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int q = 0; q < r; q++) s += x[i * r + q] * x[j * r + q];
                k[i * n + j] = (float)s;
            }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) k[i * n + j] = k[j * n + i]; // exact symmetry after rounding
        return CellMatrix.FromDense(k, n, n);
    }

    public static GeneGraph RandomGraph(Random rng, int n, double p = 0.2)
    {
        var src = new List<int>();
        var dst = new List<int>();
        var w = new List<float>();
        for (int s = 0; s < n; s++)
            for (int t = 0; t < n; t++)
                if (s != t && rng.NextDouble() < p) { src.Add(s); dst.Add(t); w.Add((float)(0.1 + rng.NextDouble())); }
        return GeneGraph.FromEdges(Enumerable.Range(0, n).Select(i => $"g{i}").ToArray(), src.ToArray(), dst.ToArray(), w.ToArray());
    }
}
