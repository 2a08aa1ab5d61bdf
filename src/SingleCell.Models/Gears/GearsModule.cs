using SingleCell.Models.NN;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Gears;

/// <summary>
/// The GEARS network (spec §2.3): gene embeddings and co-expression-propagated positional embeddings
/// give a per-gene base state; perturbation embeddings propagated over the GO graph are summed over a
/// cell's perturbed genes, fused and added to every gene; a recovery MLP, per-gene linear maps and a
/// cross-gene MLP give the change added to the paired control cell. The graphs are buffers (edge
/// lists), so a checkpoint carries them; the normalised propagation matrices are derived from them.
/// </summary>
internal sealed class GearsModule : Module
{
    private readonly GearsOptions _o;
    private readonly int[] _geneIndex, _pertIndex;
    private SparseMatrix? _coexp, _go;

    internal GearsModule(int genes, int perturbationGenes, int coexpressionEdges, int goEdges, int controlCells, GearsOptions o)
    {
        o.Validate();
        _o = o;
        Genes = genes;
        PerturbationGenes = perturbationGenes;
        int h = o.Hidden;
        var g = new Generator(o.Seed);
        GeneEmbedding = RegisterModule("gene_emb", new Embedding(genes, h, g, maxNorm: 1f));
        PositionEmbedding = RegisterModule("emb_pos", new Embedding(genes, h, g, maxNorm: 1f));
        PerturbationEmbedding = RegisterModule("pert_emb", new Embedding(perturbationGenes, h, g, maxNorm: 1f));
        BnEmb = RegisterModule("bn_emb", new BatchNorm1d(h));
        BnPertBase = RegisterModule("bn_pert_base", new BatchNorm1d(h));
        CoexpressionLayers = RegisterModule("layers_emb_pos", new ModuleList<GraphConv>(Enumerable.Range(0, o.CoexpressionLayers).Select(_ => new GraphConv(h, h, 1, g))));
        GoLayers = RegisterModule("sim_layers", new ModuleList<GraphConv>(Enumerable.Range(0, o.GoLayers).Select(_ => new GraphConv(h, h, 1, g))));
        EmbTrans = RegisterModule("emb_trans_v2", Mlp(g, h, h, h));
        PertFuse = RegisterModule("pert_fuse", Mlp(g, h, h, h));
        Recovery = RegisterModule("recovery_w", Mlp(g, h, 2 * h, h));
        CrossGene = RegisterModule("cross_gene_state", Mlp(g, genes, h, h));
        // xavier_normal_ std = √(2 / (fan_in + fan_out)) with PyTorch's fans for the shapes of spec §2.3.
        W1 = RegisterParameter("indv_w1", Tensor.RandomNormal(g, [genes, h], 0, (float)Math.Sqrt(2.0 / (h + genes))));
        B1 = RegisterParameter("indv_b1", Tensor.RandomNormal(g, [genes], 0, (float)Math.Sqrt(2.0 / (1 + genes))));
        float std2 = (float)Math.Sqrt(2.0 / ((double)genes * (h + 1) + h + 1));
        W2Self = RegisterParameter("indv_w2_self", Tensor.RandomNormal(g, [genes], 0, std2));
        W2Cross = RegisterParameter("indv_w2_cross", Tensor.RandomNormal(g, [genes, h], 0, std2));
        B2 = RegisterParameter("indv_b2", Tensor.RandomNormal(g, [genes], 0, (float)Math.Sqrt(2.0 / (genes + 1))));
        if (o.Uncertainty)
            UncertaintyHead = RegisterModule("uncertainty_w", new Sequential(
                new Linear(h, 2 * h, g), new BatchNorm1d(2 * h), new ReLU(), new Linear(2 * h, h, g), new BatchNorm1d(h), new ReLU(), new Linear(h, 1, g), new BatchNorm1d(1)));
        CoexpressionGraph = RegisterBuffer("coexp_edges", Tensor.Zeros(3, coexpressionEdges));
        GoGraph = RegisterBuffer("go_edges", Tensor.Zeros(3, goEdges));
        ControlExpression = RegisterBuffer("control_cells", Tensor.Zeros(controlCells, genes));
        ControlMean = RegisterBuffer("control_mean", Tensor.Zeros(genes));
        _geneIndex = Enumerable.Range(0, genes).ToArray();
        _pertIndex = Enumerable.Range(0, perturbationGenes).ToArray();
    }

    private static Sequential Mlp(Generator g, int a, int b, int c) =>
        new(new Linear(a, b, g), new BatchNorm1d(b), new ReLU(), new Linear(b, c, g), new BatchNorm1d(c));

    internal int Genes { get; }
    internal int PerturbationGenes { get; }
    internal GearsOptions Options => _o;
    internal Embedding GeneEmbedding { get; }
    internal Embedding PositionEmbedding { get; }
    internal Embedding PerturbationEmbedding { get; }
    internal BatchNorm1d BnEmb { get; }
    internal BatchNorm1d BnPertBase { get; }
    internal ModuleList<GraphConv> CoexpressionLayers { get; }
    internal ModuleList<GraphConv> GoLayers { get; }
    internal Sequential EmbTrans { get; }
    internal Sequential PertFuse { get; }
    internal Sequential Recovery { get; }
    internal Sequential CrossGene { get; }
    internal Parameter W1 { get; }
    internal Parameter B1 { get; }
    internal Parameter W2Self { get; }
    internal Parameter W2Cross { get; }
    internal Parameter B2 { get; }
    internal Sequential? UncertaintyHead { get; }

    /// <summary>Co-expression edges as rows (source, target, weight).</summary>
    internal Tensor CoexpressionGraph { get; }

    /// <summary>GO-graph edges as rows (source, target, weight).</summary>
    internal Tensor GoGraph { get; }

    /// <summary>Control cells kept for prediction (cells × genes).</summary>
    internal Tensor ControlExpression { get; }

    /// <summary>c̄, the mean control expression over all training control cells.</summary>
    internal Tensor ControlMean { get; }

    /// <summary>Stores a graph's edges in its buffer (and drops the cached propagation).</summary>
    internal static void SetEdges(Tensor buffer, ReadOnlySpan<int> sources, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights)
    {
        int e = sources.Length;
        var data = new float[3 * e];
        for (int i = 0; i < e; i++) { data[i] = sources[i]; data[e + i] = targets[i]; data[2 * e + i] = weights[i]; }
        using (Tensor.NoGrad()) buffer.CopyFrom(Tensor.FromArray(data, 3, e));
    }

    /// <summary>Rebuilds the propagation matrices from the edge buffers (after loading), checking every edge.</summary>
    /// <exception cref="ArgumentException">An edge is not a pair of node indices.</exception>
    internal void RebuildGraphs()
    {
        _coexp = Propagation(CoexpressionGraph, Genes);
        _go = Propagation(GoGraph, PerturbationGenes);
    }

    private static SparseMatrix Propagation(Tensor edges, int nodes)
    {
        var d = edges.AsReadOnlySpan();
        int e = edges.Shape[1];
        var s = new int[e]; var t = new int[e]; var w = new float[e];
        for (int i = 0; i < e; i++)
        {
            float fs = d[i], ft = d[e + i];
            if (fs != MathF.Floor(fs) || ft != MathF.Floor(ft) || fs < 0 || ft < 0 || fs >= nodes || ft >= nodes)
                throw new ArgumentException($"GEARS: graph edge {i} ({fs} → {ft}) is not a pair of node indices in 0 … {nodes - 1}.");
            s[i] = (int)fs; t[i] = (int)ft; w[i] = d[2 * e + i];
        }
        return GraphConv.Propagation(nodes, s, t, w);
    }

    /// <summary>Z_base (G × H): gene embeddings plus 0.2 × the co-expression-propagated positional embeddings, through the transform MLP.</summary>
    private Tensor GeneBase(int batch)
    {
        _coexp ??= Propagation(CoexpressionGraph, Genes);
        var e = BnEmb.Forward(GeneEmbedding.Forward(_geneIndex)).Relu();
        var pos = PositionEmbedding.Forward(_geneIndex);
        for (int l = 0; l < CoexpressionLayers.Count; l++)
        {
            pos = CoexpressionLayers[l].Forward(pos, _coexp);
            if (l < CoexpressionLayers.Count - 1) pos = pos.Relu();
        }
        if (!_o.PygBatchingQuirk || batch == 1) return EmbTrans.Forward(e + pos * 0.2f);
        // PyG quirk: only the first cell's copy aggregates neighbours; the others see X·Θ + b (self-loop only).
        var selfOnly = PositionEmbedding.Forward(_geneIndex);
        foreach (var layer in CoexpressionLayers) selfOnly = layer.Lin.Forward(selfOnly);
        var rows = new Tensor[batch];
        rows[0] = e + pos * 0.2f;
        for (int b = 1; b < batch; b++) rows[b] = e + selfOnly * 0.2f;
        return EmbTrans.Forward(Tensor.Concat(rows, 0)); // (B·G, H)
    }

    /// <summary>The forward pass: predicted expression (B × G), the cross-gene state (B × H) and the log-variance when trained with uncertainty.</summary>
    /// <remarks>
    /// Everything but the residual depends on a cell only through its perturbation set, so the network runs once
    /// per distinct set in the batch and its rows carry their multiplicity into every BatchNorm (weighted
    /// statistics: exactly those of the batch with its copies); the result is then gathered back to the cells.
    /// This is the same function and gradient as running every cell, at the cost of the distinct sets only.
    /// With <see cref="GearsOptions.PygBatchingQuirk"/> cells differ by position in the batch, so each cell runs.
    /// </remarks>
    /// <param name="control">The paired control cells' expression [B, G].</param>
    /// <param name="perturbations">Per cell, the indices of its perturbed genes in the GO graph (empty for controls).</param>
    internal (Tensor Prediction, Tensor CrossState, Tensor? LogVariance) Forward(Tensor control, int[][] perturbations)
    {
        int b = control.Shape[0];
        if (_o.PygBatchingQuirk && b > 1) return ForwardPerCell(control, perturbations);
        // Distinct perturbation sets (as sorted index lists), their multiplicities and each cell's set.
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var sets = new List<int[]>();
        var counts = new List<float>();
        var cellSet = new int[b];
        for (int i = 0; i < b; i++)
        {
            var sorted = perturbations[i].Order().ToArray();
            var key = string.Join(',', sorted);
            if (!byKey.TryGetValue(key, out int u)) { u = sets.Count; byKey[key] = u; sets.Add(sorted); counts.Add(0); }
            counts[u]++;
            cellSet[i] = u;
        }
        var (o2, c, logVar) = Network([.. sets], [.. counts]);
        return (o2.IndexSelect(0, cellSet) + control, c.IndexSelect(0, cellSet), logVar?.IndexSelect(0, cellSet));
    }

    /// <summary>The network for U distinct perturbation sets with multiplicities: the change o₂ (U × G), the cross-gene state (U × H), the log-variance.</summary>
    private (Tensor Change, Tensor CrossState, Tensor? LogVariance) Network(int[][] sets, float[] counts) =>
        Head(GeneBase(1).Unsqueeze(0), Shifts(sets, counts), sets.Length, counts);

    /// <summary>
    /// S: each row's summed, fused perturbation embedding (rows × 1 × H; zero for controls). The pert_fuse BatchNorm
    /// runs over the perturbed rows, weighted by <paramref name="counts"/> when given. GEARS duplicates the row of a
    /// single perturbed cell for BatchNorm, so a lone row counts at least twice (its variance is 0 either way).
    /// </summary>
    private Tensor Shifts(int[][] sets, float[]? counts)
    {
        int rows = sets.Length;
        var perturbed = Enumerable.Range(0, rows).Where(i => sets[i].Length > 0).ToArray();
        if (perturbed.Length == 0) return Tensor.Zeros(rows, 1, _o.Hidden);
        var pg = PropagatedPerturbations();
        // s = Σ_{p ∈ Π} Pg[p] as a sparse selection matrix times Pg.
        var ptr = new int[perturbed.Length + 1];
        var idx = new List<int>();
        for (int i = 0; i < perturbed.Length; i++) { idx.AddRange(sets[perturbed[i]]); ptr[i + 1] = idx.Count; }
        var select = new SparseMatrix(perturbed.Length, PerturbationGenes, ptr, [.. idx], Enumerable.Repeat(1f, idx.Count).ToArray());
        var s = Tensor.SparseMatMul(select, pg); // (n, H)
        Tensor fused;
        if (counts is not null)
        {
            var w = perturbed.Select(i => counts[i]).ToArray();
            if (w.Length == 1 && w[0] < 2) w[0] = 2;
            fused = RunWeighted(PertFuse, s, w);
        }
        else fused = perturbed.Length == 1 ? PertFuse.Forward(Tensor.Concat([s, s], 0)).Slice(0, 0, 1) : PertFuse.Forward(s);
        // Scatter the fused shifts to their rows (controls get 0) through a 0/1 matrix.
        var scatter = new float[rows * perturbed.Length];
        for (int i = 0; i < perturbed.Length; i++) scatter[perturbed[i] * perturbed.Length + i] = 1f;
        return Tensor.FromArray(scatter, rows, perturbed.Length).MatMul(fused).Unsqueeze(1);
    }

    /// <summary>
    /// From the base state z (1 or rows × G × H) and the shifts to o₂, the cross-gene state and the log-variance; with
    /// <paramref name="counts"/>, every BatchNorm takes each row's multiplicity.
    /// </summary>
    private (Tensor Change, Tensor CrossState, Tensor? LogVariance) Head(Tensor z, Tensor shift, int rows, float[]? counts)
    {
        int g = Genes, h = _o.Hidden;
        float[]? rowWeights = null;
        if (counts is not null)
        {
            rowWeights = new float[rows * g];
            for (int i = 0; i < rows; i++) rowWeights.AsSpan(i * g, g).Fill(counts[i]);
        }
        var zf = BnPertBase.Forward((z + shift).Reshape(rows * g, h), rowWeights).Relu();
        var r = RunWeighted(Recovery, zf, rowWeights).Reshape(rows, g, h);
        var o1 = (r * W1.Value).Sum(2) + B1.Value; // (rows, G)
        var c = RunWeighted(CrossGene, o1, counts); // (rows, H)
        var o2 = o1 * W2Self.Value + c.MatMul(W2Cross.Value.Transpose(0, 1)) + B2.Value;
        var logVar = UncertaintyHead is null ? null : RunWeighted(UncertaintyHead, zf, rowWeights).Reshape(rows, g);
        return (o2, c, logVar);
    }

    /// <summary>Runs a sequential block, passing the row multiplicities (or none) to its BatchNorm layers.</summary>
    private static Tensor RunWeighted(Sequential block, Tensor x, float[]? rowWeights)
    {
        for (int i = 0; i < block.Count; i++)
            x = block[i] is BatchNorm1d bn ? bn.Forward(x, rowWeights) : block[i].Forward(x);
        return x;
    }

    /// <summary>Pg: the perturbation embeddings through the GO-graph convolutions (P × H).</summary>
    private Tensor PropagatedPerturbations()
    {
        _go ??= Propagation(GoGraph, PerturbationGenes);
        var pg = PerturbationEmbedding.Forward(_pertIndex);
        for (int l = 0; l < GoLayers.Count; l++)
        {
            pg = GoLayers[l].Forward(pg, _go);
            if (l < GoLayers.Count - 1) pg = pg.Relu();
        }
        return pg;
    }

    /// <summary>The forward pass cell by cell (the reference semantics; used with the PyG batching quirk, and by tests).</summary>
    internal (Tensor Prediction, Tensor CrossState, Tensor? LogVariance) ForwardPerCell(Tensor control, int[][] perturbations)
    {
        int b = control.Shape[0], g = Genes, h = _o.Hidden;
        var zBase = GeneBase(b); // (G, H), or (B·G, H) with the quirk
        var z = zBase.Rank == 2 && zBase.Shape[0] == g ? zBase.Unsqueeze(0) : zBase.Reshape(b, g, h); // (1 or B, G, H)
        var (o2, c, logVar) = Head(z, Shifts(perturbations, null), b, null);
        return (o2 + control, c, logVar);
    }
}
