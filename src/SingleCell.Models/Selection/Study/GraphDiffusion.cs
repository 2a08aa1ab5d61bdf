using SingleCell.Models.Graphs;

namespace SingleCell.Models.Selection.Study;

/// <summary>A sparse vector: sorted indices and their values.</summary>
internal readonly record struct SparseRow(int[] Indices, double[] Values)
{
    public static readonly SparseRow Empty = new([], []);
}

/// <summary>
/// Diffusion features of genes on a graph, z_g = Σ_{l=0}^{L} β^l S^l e_g with S = D̂^−1/2 Â D̂^−1/2 of the
/// symmetrised graph (self-loops added), and their sums and Gram matrices for perturbations (sets of genes).
/// </summary>
internal static class GraphDiffusion
{
    public static SparseRow[] NodeRows(GeneGraph graph, int hops, double decay, CancellationToken ct = default)
    {
        var s = graph.Symmetrize().NormalizedAdjacency();
        int n = s.NodeCount;
        var rows = new SparseRow[n];
        Parallel.For(0, n, new ParallelOptions { CancellationToken = ct }, () => (Acc: new double[n], Cur: new double[n], Next: new double[n], Mark: new bool[n], Touched: new List<int>()), (g, _, w) =>
        {
            w.Touched.Clear();
            var front = new List<int> { g };
            w.Cur[g] = 1;
            w.Acc[g] = 1;
            w.Mark[g] = true;
            w.Touched.Add(g);
            double scale = 1;
            for (int l = 1; l <= hops; l++)
            {
                scale *= decay;
                var nextFront = new List<int>();
                foreach (int u in front)
                {
                    var nb = s.OutNeighbors(u);
                    var wt = s.OutWeights(u);
                    for (int k = 0; k < nb.Length; k++)
                    {
                        if (w.Next[nb[k]] == 0) nextFront.Add(nb[k]);
                        w.Next[nb[k]] += w.Cur[u] * wt[k];
                    }
                }
                foreach (int u in front) w.Cur[u] = 0;
                foreach (int v in nextFront)
                {
                    w.Cur[v] = w.Next[v];
                    w.Next[v] = 0;
                    w.Acc[v] += scale * w.Cur[v];
                    if (!w.Mark[v]) { w.Mark[v] = true; w.Touched.Add(v); }
                }
                front = nextFront;
            }
            foreach (int u in front) w.Cur[u] = 0;
            w.Touched.Sort();
            var idx = w.Touched.ToArray();
            var val = new double[idx.Length];
            for (int k = 0; k < idx.Length; k++) { val[k] = w.Acc[idx[k]]; w.Acc[idx[k]] = 0; w.Mark[idx[k]] = false; }
            rows[g] = new SparseRow(idx, val);
            return w;
        }, _ => { });
        return rows;
    }

    /// <summary>Σ of the node rows of the perturbation's genes that are in the graph (empty if none).</summary>
    public static SparseRow Combine(GeneGraph graph, SparseRow[] nodeRows, IEnumerable<string> genes)
    {
        var acc = new SortedDictionary<int, double>();
        foreach (var gene in genes)
        {
            int g = graph.IndexOf(gene);
            if (g < 0) continue;
            var r = nodeRows[g];
            for (int k = 0; k < r.Indices.Length; k++) acc[r.Indices[k]] = acc.GetValueOrDefault(r.Indices[k]) + r.Values[k];
        }
        return acc.Count == 0 ? SparseRow.Empty : new SparseRow(acc.Keys.ToArray(), acc.Values.ToArray());
    }

    /// <summary>The dense Gram matrix K = Z Zᵀ (row-major m × m) of sparse rows over <paramref name="dim"/> columns.</summary>
    public static double[] Gram(IReadOnlyList<SparseRow> rows, int dim)
    {
        int m = rows.Count;
        var colPtr = new int[dim + 1];
        foreach (var r in rows) foreach (int c in r.Indices) colPtr[c + 1]++;
        for (int c = 0; c < dim; c++) colPtr[c + 1] += colPtr[c];
        var fill = (int[])colPtr.Clone();
        var colRow = new int[colPtr[dim]];
        var colVal = new double[colPtr[dim]];
        for (int i = 0; i < m; i++)
            for (int k = 0; k < rows[i].Indices.Length; k++) { int c = rows[i].Indices[k]; colRow[fill[c]] = i; colVal[fill[c]++] = rows[i].Values[k]; }
        var gram = new double[(long)m * m];
        Parallel.For(0, m, i =>
        {
            var r = rows[i];
            long off = (long)i * m;
            for (int k = 0; k < r.Indices.Length; k++)
            {
                int c = r.Indices[k];
                double v = r.Values[k];
                for (int q = colPtr[c]; q < colPtr[c + 1]; q++) gram[off + colRow[q]] += v * colVal[q];
            }
        });
        return gram;
    }

    /// <summary>Sparse dot product of two rows.</summary>
    public static double Dot(SparseRow a, SparseRow b)
    {
        double s = 0;
        int i = 0, j = 0;
        while (i < a.Indices.Length && j < b.Indices.Length)
        {
            int c = a.Indices[i].CompareTo(b.Indices[j]);
            if (c == 0) s += a.Values[i++] * b.Values[j++];
            else if (c < 0) i++;
            else j++;
        }
        return s;
    }
}
