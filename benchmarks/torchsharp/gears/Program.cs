// One GEARS training step in TorchSharp (libtorch 2.10 CPU): a speed peer of
// ../shared/bench/gears_torch_reference.py (PyTorch 1.13), written op for op as its per-step loop runs:
// the network runs once per cell of the batch (forward over B x G gene rows), the loss is the per-condition
// autofocus + direction loss on each condition's non-zero genes, then zero_grad, backward, clip_grad_value_(1.0)
// and Adam(lr 1e-3, weight decay 5e-4).
//
// Data are random, of the Norman subset's shape, not the Norman data: G genes (500), P GO-graph nodes (476),
// a co-expression graph on the G genes and a GO graph on the P nodes, each with K random distinct in-neighbours
// per node (20) plus a self loop (so 21 edges per node, the graphs' cap; the real graphs have up to 21) and
// random weights in [0.1, 1), symmetrically normalised as the peer's norm_adj does; a pool of conditions
// (20 by default: the Python peer's seed-1 split of the Norman subset trains on 20 conditions plus controls,
// 2,095 cells, 65 steps per epoch) of 1 or 2 perturbed GO nodes each (half singles, half pairs), every cell of a
// batch drawing one (no control cells); each condition's "non-zero genes" a random 98 % of the genes; expression |N(0, 1)| values. Timing does
// not depend on the values; it does depend on how many distinct conditions a batch holds (the loss loops over
// them), which the pool size sets.
//
// Times each step (batch assembly, forward, loss, backward, clipping, Adam, and freeing the step's tensors)
// after --warmup steps, then prints the median of --steps steps:
//   genes=... go_nodes=... hidden=... batch=... threads=... steps=... step_s_median=... step_s_min=... last_loss=...
// Usage: bash run.sh [--genes 500] [--go-nodes 476] [--degree 20] [--hidden 64] [--batch 32] [--conditions 20]
//                    [--warmup 5] [--steps 30] [--threads 2] [--seed 1]
using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

var a = Args.Parse(args);
torch.set_num_threads(a.Threads);
torch.manual_seed(a.Seed);
var g = new Generator((ulong)a.Seed, torch.CPU);

var aCo = Graphs.RandomNormalised(a.Genes, a.Degree, g);
var aGo = Graphs.RandomNormalised(a.GoNodes, a.Degree, g);
// Cell pools: controls (the x of a step) and perturbed cells (the y), each cell of the latter with a condition.
const int ctrlCells = 2000, pertCells = 4000;
var xCtrl = torch.randn(new long[] { ctrlCells, a.Genes }, generator: g).abs();
var yPert = torch.randn(new long[] { pertCells, a.Genes }, generator: g).abs();
var ctrlMean = xCtrl.mean(new long[] { 0 });
var condPerts = new int[a.Conditions][];
var nonzero = new Tensor[a.Conditions];
for (int c = 0; c < a.Conditions; c++)
{
    var nodes = torch.randperm(a.GoNodes, generator: g).slice(0, 0, c % 2 == 0 ? 1 : 2, 1).data<long>().ToArray();
    condPerts[c] = nodes.Select(v => (int)v).ToArray();
    nonzero[c] = torch.nonzero(torch.rand(new long[] { a.Genes }, generator: g).lt(0.98)).squeeze(1);
}
var cellCond = torch.randint(0, a.Conditions, new long[] { pertCells }, generator: g).data<long>().ToArray();

var m = new Gears(a.Genes, a.GoNodes, aCo, aGo, a.Hidden);
var opt = torch.optim.Adam(m.parameters(), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 5e-4);
Console.Error.WriteLine($"torch threads {torch.get_num_threads()}, {a.Genes} genes, {a.GoNodes} GO nodes, co-expression nnz {aCo.SparseValues.shape[0]}, " +
    $"GO nnz {aGo.SparseValues.shape[0]}, batch {a.Batch}, {m.parameters().Count()} parameter tensors / {m.parameters().Sum(q => q.numel())} weights");

double last = double.NaN;
m.train();
var times = PeerCommon.TimeSteps(a.Warmup, a.Steps, isLast =>
{
    using var scope = torch.NewDisposeScope();
    var xi = torch.randint(0, ctrlCells, new long[] { a.Batch }, generator: g);
    var yi = torch.randint(0, pertCells, new long[] { a.Batch }, generator: g);
    var x = xCtrl.index(xi); var y = yPert.index(yi);
    var bc = yi.data<long>().Select(i => (int)cellCond[i]).ToArray();
    var perts = bc.Select(c => condPerts[c]).ToArray();
    var tf = Stopwatch.StartNew();
    var pred = m.Forward(x, perts); double f = tf.Elapsed.TotalSeconds;
    var loss = Loss.Compute(pred, y, bc, ctrlMean, nonzero); double l = tf.Elapsed.TotalSeconds;
    opt.zero_grad(); loss.backward(); double bw = tf.Elapsed.TotalSeconds;
    torch.nn.utils.clip_grad_value_(m.parameters(), 1.0);
    opt.step();
    if (a.Profile) Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  forward {f:F4} loss {l - f:F4} backward {bw - l:F4} clip+adam {tf.Elapsed.TotalSeconds - bw:F4} s"));
    if (isLast) last = loss.item<float>();
});
Console.Error.WriteLine($"steps (s): {PeerCommon.List(times)}; live tensors {DisposeScopeManager.Statistics.ThreadTotalLiveCount}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"genes={a.Genes} go_nodes={a.GoNodes} hidden={a.Hidden} batch={a.Batch} threads={a.Threads} {PeerCommon.Summary(times)} last_loss={last:F4}"));
return 0;

/// <summary>Command line ("--flag value" or "--flag=value").</summary>
internal sealed record Args(int Genes = 500, int GoNodes = 476, int Degree = 20, int Hidden = 64, int Batch = 32,
    int Conditions = 20, int Warmup = 5, int Steps = 30, int Threads = 2, long Seed = 1, bool Profile = false)
{
    public static Args Parse(string[] argv)
    {
        var a = new Args();
        PeerCommon.ForEachFlag(argv, (flag, v) => a = flag switch
        {
            "--genes" => a with { Genes = PeerCommon.Int(v) },
            "--go-nodes" => a with { GoNodes = PeerCommon.Int(v) },
            "--degree" => a with { Degree = PeerCommon.Int(v) },
            "--hidden" => a with { Hidden = PeerCommon.Int(v) },
            "--batch" => a with { Batch = PeerCommon.Int(v) },
            "--conditions" => a with { Conditions = PeerCommon.Int(v) },
            "--warmup" => a with { Warmup = PeerCommon.Int(v) },
            "--steps" => a with { Steps = PeerCommon.Int(v) },
            "--threads" => a with { Threads = PeerCommon.Int(v) },
            "--seed" => a with { Seed = PeerCommon.Long(v) },
            "--profile" => a with { Profile = true },   // per-phase times of each step to stderr
            _ => throw new ArgumentException($"unknown argument {flag}"),
        });
        if (a.Steps < 1) throw new ArgumentException("--steps must be at least 1");
        return a;
    }
}

internal static class Graphs
{
    /// <summary>
    /// A random graph on n nodes: each node receives k distinct random in-neighbours (not itself) with weights in
    /// [0.1, 1), plus a self loop of weight 1; then the peer's norm_adj: D^-1/2 A D^-1/2 with in-degrees,
    /// as a coalesced sparse COO [n, n] (out[dst] += A * x[src]).
    /// </summary>
    public static Tensor RandomNormalised(int n, int k, Generator g)
    {
        using var scope = torch.NewDisposeScope();
        var src = new List<long>(); var dst = new List<long>();
        for (int j = 0; j < n; j++)
        {
            var others = torch.randperm(n - 1, generator: g).slice(0, 0, Math.Min(k, n - 1), 1).data<long>().ToArray();
            foreach (long o in others) { src.Add(o >= j ? o + 1 : o); dst.Add(j); }
        }
        var w = torch.rand(new long[] { src.Count }, generator: g) * 0.9 + 0.1;
        for (int i = 0; i < n; i++) { src.Add(i); dst.Add(i); }
        var s = torch.tensor(src.ToArray()); var d = torch.tensor(dst.ToArray());
        var wAll = torch.cat(new[] { w, torch.ones(n) });
        var deg = torch.zeros(n).index_add_(0, d, wAll, 1); var dinv = deg.pow(-0.5);
        var vals = dinv.index(s) * wAll * dinv.index(d);
        // sparse_coo_tensor(...).coalesce() of the peer; TorchSharp has no coalesce, and a dense matrix's to_sparse()
        // is the same coalesced COO tensor (the (dst, src) pairs are distinct).
        var a = torch.zeros(n, n).index_put_(vals, d, s).to_sparse();
        return a.MoveToOuterDisposeScope();
    }
}

/// <summary>The peer's Gears module, layer for layer and op for op.</summary>
internal sealed class Gears : nn.Module
{
    private readonly long _g, _h;
    private readonly Tensor _aCo, _aGo;
    private readonly Parameter gene_emb, emb_pos, pert_emb, indv_w1, indv_b1, indv_w2, indv_b2;
    private readonly Linear co_lin, go_lin;
    private readonly Sequential emb_trans_v2, pert_fuse, recovery_w, cross_gene_state;
    private readonly BatchNorm1d bn_emb, bn_pert_base;

    public Gears(long G, long P, Tensor aCo, Tensor aGo, long H = 64) : base("Gears")
    {
        _g = G; _h = H; _aCo = aCo; _aGo = aGo;
        // nn.Embedding(..., max_norm=1.0) weights, used whole (.weight), so the max-norm never applies: plain N(0, 1) parameters.
        gene_emb = nn.Parameter(torch.randn(G, H)); emb_pos = nn.Parameter(torch.randn(G, H)); pert_emb = nn.Parameter(torch.randn(P, H));
        co_lin = nn.Linear(H, H); go_lin = nn.Linear(H, H);
        emb_trans_v2 = Mlp(H, H, H); pert_fuse = Mlp(H, H, H); recovery_w = Mlp(H, 2 * H, H);
        bn_emb = nn.BatchNorm1d(H); bn_pert_base = nn.BatchNorm1d(H);
        indv_w1 = nn.Parameter(torch.empty(G, H, 1)); indv_b1 = nn.Parameter(torch.empty(G, 1));
        cross_gene_state = Mlp(G, H, H);
        indv_w2 = nn.Parameter(torch.empty(1, G, H + 1)); indv_b2 = nn.Parameter(torch.empty(1, G));
        foreach (var p in new[] { indv_w1, indv_b1, indv_w2, indv_b2 }) nn.init.xavier_normal_(p);
        RegisterComponents();
    }

    /// <summary>mlp([a, b, c]): Linear, BatchNorm1d, ReLU, Linear, BatchNorm1d (the last ReLU dropped).</summary>
    private static Sequential Mlp(long a, long b, long c) =>
        nn.Sequential(nn.Linear(a, b), nn.BatchNorm1d(b), nn.ReLU(), nn.Linear(b, c), nn.BatchNorm1d(c));

    public Tensor Forward(Tensor x, int[][] perts)
    {
        long B = x.shape[0], G = _g, H = _h;
        var E = nn.functional.relu(bn_emb.forward(gene_emb.repeat(B, 1)));
        var pos = co_lin.forward(torch.mm(_aCo, emb_pos)).repeat(B, 1);
        var Z = emb_trans_v2.forward(E + 0.2 * pos).view(B, G, H);
        var Pg = go_lin.forward(torch.mm(_aGo, pert_emb));
        var rows = Enumerable.Range(0, (int)B).Where(b => perts[b].Length > 0).ToArray();
        if (rows.Length > 0)
        {
            var s = torch.stack(rows.Select(b => Pg.index(torch.tensor(perts[b].Select(v => (long)v).ToArray())).sum(dim: 0)).ToArray());
            var S = pert_fuse.forward(rows.Length > 1 ? s : s.repeat(2, 1)).slice(0, 0, rows.Length, 1);
            var r = torch.tensor(rows.Select(v => (long)v).ToArray());
            Z = Z.clone();
            Z.index_put_(Z.index(r) + S.unsqueeze(1), r);   // Z[rows] = Z[rows] + S[:, None, :]
        }
        var Zf = nn.functional.relu(bn_pert_base.forward(Z.reshape(B * G, H)));
        var R = recovery_w.forward(Zf).view(B, G, H);
        var o1 = (R * indv_w1.squeeze(-1)).sum(dim: -1) + indv_b1.squeeze(-1);
        var c = cross_gene_state.forward(o1);
        var o2 = (torch.cat(new[] { o1.unsqueeze(2), c.unsqueeze(1).expand(B, G, H) }, -1) * indv_w2).sum(dim: -1) + indv_b2;
        return o2 + x;
    }
}

internal static class Loss
{
    /// <summary>The peer's loss_fct: per condition, mean |p - t|^(2+gamma) + lambda * mean (sign(t - cm) - sign(p - cm))^2 on its non-zero genes, averaged over conditions.</summary>
    public static Tensor Compute(Tensor pred, Tensor y, int[] conds, Tensor ctrlMean, Tensor[] nonzero, double gamma = 2.0, double lam = 0.1)
    {
        var groups = new Dictionary<int, List<long>>();
        for (int i = 0; i < conds.Length; i++)
        {
            if (!groups.TryGetValue(conds[i], out var l)) groups[conds[i]] = l = new List<long>();
            l.Add(i);
        }
        Tensor? total = null;
        foreach (var (c, list) in groups)
        {
            var idx = torch.tensor(list.ToArray()); var gi = nonzero[c];
            var p = pred.index(idx); var t = y.index(idx);
            p = p.index(TensorIndex.Colon, TensorIndex.Tensor(gi)); t = t.index(TensorIndex.Colon, TensorIndex.Tensor(gi));
            var cm = ctrlMean.index(gi);
            var term = (p - t).abs().pow(2 + gamma).mean() + lam * (torch.sign(t - cm) - torch.sign(p - cm)).pow(2).mean();
            total = total is null ? term : total + term;
        }
        return total! / groups.Count;
    }
}
