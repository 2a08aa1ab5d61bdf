using SingleCell.Models.Data;
using SingleCell.Models.Graphs;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Gears;

/// <summary>A tiny synthetic screen: 16 genes, perturbing gene k raises genes k and k+1 (mod 16), pairs add; log-normal-ish noise.</summary>
internal static class GearsTestData
{
    internal static (AnnData Data, GeneGraph Go) Screen(int cellsPerCondition = 12, ulong seed = 3)
    {
        const int g = 16;
        var genes = Enumerable.Range(0, g).Select(i => $"G{i}").ToArray();
        var conditions = new List<string> { "ctrl" };
        for (int k = 0; k < 8; k++) conditions.Add($"G{k}+ctrl");
        for (int k = 0; k < 7; k++) conditions.Add($"G{k}+G{k + 1}");
        conditions.Add("G0+G4"); conditions.Add("G2+G6");
        var rng = new Generator(seed);
        var values = new List<float>(); var labels = new List<string>();
        foreach (var c in conditions)
        {
            int n = c == "ctrl" ? 4 * cellsPerCondition : cellsPerCondition;
            var hit = c == "ctrl" ? [] : c.Split('+').Where(x => x != "ctrl").Select(x => int.Parse(x[1..])).ToArray();
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < g; j++)
                {
                    double mu = 1.0 + 0.1 * (j % 3);
                    foreach (int k in hit) { if (j == k) mu += 1.5; if (j == (k + 1) % g) mu += 0.8; }
                    values.Add((float)Math.Max(0, mu + 0.15 * rng.NextNormal()));
                }
                labels.Add(c);
            }
        }
        var data = new AnnData(CellMatrix.FromDense(values.ToArray(), labels.Count, g), labels.Select((_, i) => $"cell{i}").ToArray(), genes);
        data.Obs.Add(CategoricalColumn.FromValues("condition", labels));
        // GO-like graph: self-loops and a ring over the genes.
        var s = new List<int>(); var t = new List<int>(); var w = new List<float>();
        for (int i = 0; i < g; i++) { s.Add(i); t.Add(i); w.Add(1f); s.Add(i); t.Add((i + 1) % g); w.Add(0.5f); s.Add((i + 1) % g); t.Add(i); w.Add(0.5f); }
        return (data, GeneGraph.FromEdges(genes, s.ToArray(), t.ToArray(), w.ToArray()));
    }
}
