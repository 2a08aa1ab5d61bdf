// One Exceiver pretraining step in TorchSharp (libtorch 2.10 CPU): a speed peer of
// ../shared/bench/exceiver_torch_reference.py (PyTorch 1.13), written op for op as PyTorch 1.13 runs that model in
// training mode: nn.MultiheadAttention's slow path (F.multi_head_attention_forward: packed in-projection, the boolean
// key-padding mask turned into an additive float mask of -inf over all G keys, q / sqrt(head dim), baddbmm,
// softmax, bmm, out-projection), a post-norm nn.TransformerEncoderLayer (GELU, dropout 0), the encoder and decoder
// cross-attention blocks, the head, MSE on the masked genes, then Adam(lr 3e-4, weight decay 1e-5).
//
// Data are random, of Kang et al. 2018's shape, not Kang's data: G genes (6,998), each gene of a cell non-zero with
// probability --nonzero (0.0466, Kang's mean non-zero fraction; its median cell has 293 non-zero genes, hence
// n_mask = int(0.15 * 293) = 43), values N(0, 1) + 1 where non-zero (the z-scored, clipped, +1 values of the peer).
// The attention cost does not depend on the values or on how many genes are non-zero: the additive mask runs
// every query against all G keys.
//
// Times each step (batch assembly, forward, loss, backward, Adam, and freeing the step's tensors) after --warmup
// steps, then prints the median of --steps steps:
//   genes=... n_mask=... layers=... batch=... threads=... steps=... step_s_median=... step_s_min=... last_mse=...
// Usage: bash run.sh [--genes 6998] [--batch 64] [--layers 1] [--n-mask 43] [--nonzero 0.0466] [--warmup 2]
//                    [--steps 10] [--threads 2] [--seed 2299]
using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

var a = Args.Parse(args);
torch.set_num_threads(a.Threads);
torch.manual_seed(a.Seed);
var g = new Generator((ulong)a.Seed, torch.CPU);
const int cells = 1975;   // Kang's cell count: a pool the batches are drawn from
var nz = torch.rand(new long[] { cells, a.Genes }, generator: g).lt(a.Nonzero);
var V = torch.where(nz, torch.randn(new long[] { cells, a.Genes }, generator: g) + 1, torch.zeros(1));
long minNz = nz.sum(dim: 1).min().item<long>();
if (minNz < a.NMask) throw new InvalidOperationException($"a cell has {minNz} non-zero genes, fewer than n_mask {a.NMask}");

var m = new Exceiver(a.Genes, layers: a.Layers);
var opt = torch.optim.Adam(m.parameters(), lr: 3e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 1e-5);
var ids0 = torch.arange(a.Genes, dtype: ScalarType.Int64);
Console.Error.WriteLine($"torch threads {torch.get_num_threads()}, {a.Genes} genes, batch {a.Batch}, n_mask {a.NMask}, " +
    $"{m.parameters().Count()} parameter tensors / {m.parameters().Sum(q => q.numel())} weights");

double last = double.NaN;
m.train();
var times = PeerCommon.TimeSteps(a.Warmup, a.Steps, _ =>
{
    using var scope = torch.NewDisposeScope();
    var b = torch.randint(0, cells, new long[] { a.Batch }, generator: g);
    var v = V.index(b);                          // a copy, as V[b].copy()
    var pad = nz.index(b).logical_not();         // True = ignored key (zero count)
    var ids = ids0.repeat(a.Batch, 1);
    // n_mask distinct non-zero genes per cell (the peer: rng.choice(cand, n_mask, replace=False) per row)
    var mids = torch.multinomial(nz.index(b).to_type(ScalarType.Float32), a.NMask, replacement: false, generator: g);
    var tgt = v.gather(1, mids); v.scatter_(1, mids, torch.ones(1).expand(mids.shape)); ids = ids.scatter(1, mids, torch.full(mids.shape, a.Genes, dtype: ScalarType.Int64));
    var tf = Stopwatch.StartNew();
    var pred = m.Forward(v, ids, pad, mids); double f = tf.Elapsed.TotalSeconds;
    var loss = nn.functional.mse_loss(pred, tgt);
    opt.zero_grad(); loss.backward(); double bw = tf.Elapsed.TotalSeconds;
    opt.step(); last = loss.item<float>();
    if (a.Profile) Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  forward {f:F4} loss+backward {bw - f:F4} adam {tf.Elapsed.TotalSeconds - bw:F4} s"));
});
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"steps (s): {PeerCommon.List(times)}; rss {RssMiB():F0} MiB"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"genes={a.Genes} n_mask={a.NMask} layers={a.Layers} batch={a.Batch} threads={a.Threads} {PeerCommon.Summary(times)} last_mse={last:F4}"));
return 0;

static double RssMiB()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    return double.NaN;
}

/// <summary>Command line ("--flag value" or "--flag=value").</summary>
internal sealed record Args(int Genes = 6998, int Batch = 64, int Layers = 1, int NMask = 43, double Nonzero = 0.0466,
    int Warmup = 2, int Steps = 10, int Threads = 2, long Seed = 2299, bool Profile = false)
{
    public static Args Parse(string[] argv)
    {
        var a = new Args();
        PeerCommon.ForEachFlag(argv, (flag, v) => a = flag switch
        {
            "--genes" => a with { Genes = PeerCommon.Int(v) },
            "--batch" => a with { Batch = PeerCommon.Int(v) },
            "--layers" => a with { Layers = PeerCommon.Int(v) },
            "--n-mask" => a with { NMask = PeerCommon.Int(v) },
            "--nonzero" => a with { Nonzero = PeerCommon.Double(v) },
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

/// <summary>
/// nn.MultiheadAttention (batch_first, dropout 0, kdim = vdim = embed dim) in training mode as PyTorch 1.13 runs it:
/// F.multi_head_attention_forward with need_weights=False.
/// </summary>
internal sealed class Mha : nn.Module
{
    private readonly long _e, _heads;
    private readonly Parameter in_proj_weight, in_proj_bias;
    private readonly Linear out_proj;

    public Mha(long e, long heads) : base("MultiheadAttention")
    {
        _e = e; _heads = heads;
        in_proj_weight = nn.Parameter(torch.empty(3 * e, e)); in_proj_bias = nn.Parameter(torch.zeros(3 * e));
        out_proj = nn.Linear(e, e);
        nn.init.xavier_uniform_(in_proj_weight);
        using (torch.no_grad()) out_proj.bias!.zero_();
        RegisterComponents();
    }

    /// <param name="q">[B, L, E] queries.</param>
    /// <param name="kv">[B, S, E] keys = values (the same tensor, as the peer passes kvn twice).</param>
    /// <param name="selfAttention">q is kv (the encoder layer's self attention): one packed projection.</param>
    /// <param name="keyPadding">[B, S] bool, true = ignored key; null for none.</param>
    public Tensor Forward(Tensor q, Tensor kv, bool selfAttention, Tensor? keyPadding)
    {
        // batch_first: PyTorch transposes to [L, B, E] first.
        var query = q.transpose(0, 1); var key = kv.transpose(0, 1);
        long L = query.shape[0], B = query.shape[1], S = key.shape[0], E = _e, hd = E / _heads;
        Tensor qp, kp, vp;
        if (selfAttention)
        {
            // _in_projection_packed, q is k is v: linear, unflatten(-1, (3, E)), unsqueeze(0), transpose(0, -2), squeeze(-2), contiguous
            var proj = nn.functional.linear(query, in_proj_weight, in_proj_bias)
                .unflatten(2, new long[] { 3, E }).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous();
            qp = proj[0]; kp = proj[1]; vp = proj[2];
        }
        else
        {
            // k is v, q differs: w_q, w_kv = w.split([E, 2E])
            var w = in_proj_weight.split(new long[] { E, 2 * E }); var bb = in_proj_bias.split(new long[] { E, 2 * E });
            qp = nn.functional.linear(query, w[0], bb[0]);
            var kvp = nn.functional.linear(key, w[1], bb[1]).unflatten(2, new long[] { 2, E }).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous();
            kp = kvp[0]; vp = kvp[1];
        }
        Tensor? mask = null;
        if (keyPadding is not null)
        {
            // key_padding_mask.view(B, 1, 1, S).expand(-1, heads, -1, -1).reshape(B * heads, 1, S), then bool -> float: 0 / -inf
            var kpm = keyPadding.view(B, 1, 1, S).expand(-1, _heads, -1, -1).reshape(B * _heads, 1, S);
            mask = torch.zeros(kpm.shape, dtype: qp.dtype).masked_fill_(kpm, double.NegativeInfinity);
        }
        qp = qp.contiguous().view(L, B * _heads, hd).transpose(0, 1);
        kp = kp.contiguous().view(S, B * _heads, hd).transpose(0, 1);
        vp = vp.contiguous().view(S, B * _heads, hd).transpose(0, 1);
        // _scaled_dot_product_attention
        qp = qp / Math.Sqrt(hd);
        // torch.baddbmm(mask, q, k^T). TorchSharp 0.107's Tensor.baddbmm(batch2, mat) takes the receiver as batch1 and
        // the added matrix last (THSTensor_baddbmm(batch1, batch2, mat) = mat.baddbmm(batch1, batch2)), so
        // torch.baddbmm(input, batch1, batch2) passes them in the wrong roles; call the method form directly.
        var attn = mask is null ? torch.bmm(qp, kp.transpose(-2, -1)) : qp.baddbmm(kp.transpose(-2, -1), mask);
        attn = torch.softmax(attn, -1);
        var o = torch.bmm(attn, vp);
        o = o.transpose(0, 1).contiguous().view(L * B, E);
        o = out_proj.forward(o).view(L, B, E);
        return o.transpose(0, 1);
    }
}

/// <summary>The peer's CrossAttn: u = mha(lq(q), lkv(kv), lkv(kv), kpm) + q; u + ff(u).</summary>
internal sealed class CrossAttn : nn.Module
{
    private readonly LayerNorm lq, lkv;
    private readonly Mha mha;
    private readonly Sequential ff;

    public CrossAttn(long d, long heads) : base("CrossAttn")
    {
        lq = nn.LayerNorm(d); lkv = nn.LayerNorm(d); mha = new Mha(d, heads);
        ff = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, d), nn.GELU(), nn.LayerNorm(d), nn.Linear(d, d));
        RegisterComponents();
    }

    public Tensor Forward(Tensor q, Tensor kv, Tensor? kpm)
    {
        var kvn = lkv.forward(kv);
        var u = mha.Forward(lq.forward(q), kvn, false, kpm) + q;
        return u + ff.forward(u);
    }
}

/// <summary>nn.TransformerEncoderLayer(d, heads, ff, dropout 0, gelu, batch_first, post-norm) in training mode.</summary>
internal sealed class EncoderLayer : nn.Module
{
    private readonly Mha self_attn;
    private readonly Linear linear1, linear2;
    private readonly LayerNorm norm1, norm2;

    public EncoderLayer(long d, long heads, long ff) : base("TransformerEncoderLayer")
    {
        self_attn = new Mha(d, heads); linear1 = nn.Linear(d, ff); linear2 = nn.Linear(ff, d);
        norm1 = nn.LayerNorm(d); norm2 = nn.LayerNorm(d);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x)
    {
        x = norm1.forward(x + self_attn.Forward(x, x, true, null));
        return norm2.forward(x + linear2.forward(nn.functional.gelu(linear1.forward(x))));
    }
}

/// <summary>The peer's Exceiver.</summary>
internal sealed class Exceiver : nn.Module
{
    private readonly Embedding E;
    private readonly Parameter Q0;
    private readonly CrossAttn enc, dec;
    private readonly ModuleList<EncoderLayer> proc;
    private readonly Sequential head;

    public Exceiver(long G, long d = 4, long nq = 128, long heads = 4, int layers = 8, long ff = 2048) : base("Exceiver")
    {
        E = nn.Embedding(G + 1, d, padding_idx: G); Q0 = nn.Parameter(torch.randn(nq, d));
        enc = new CrossAttn(d, heads);
        proc = new ModuleList<EncoderLayer>(Enumerable.Range(0, layers).Select(_ => new EncoderLayer(d, heads, ff)).ToArray());
        dec = new CrossAttn(d, heads);
        head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 1), nn.GELU(), nn.Linear(1, 1));
        RegisterComponents();
    }

    public Tensor Forward(Tensor vals, Tensor ids, Tensor pad, Tensor maskIds)
    {
        var kv = vals.unsqueeze(-1) * E.forward(ids); long B = vals.shape[0];
        var z = enc.Forward(Q0.expand(B, -1, -1), kv, pad);
        foreach (var layer in proc) z = layer.Forward(z);
        return head.forward(dec.Forward(E.forward(maskIds), z, null)).squeeze(-1);
    }
}
