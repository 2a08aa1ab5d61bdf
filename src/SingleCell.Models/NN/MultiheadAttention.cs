using SingleCell.Models.Tensors;

namespace SingleCell.Models.NN;

/// <summary>
/// Multi-head scaled dot-product attention, as <c>torch.nn.MultiheadAttention</c> with
/// <c>batch_first=True</c>: inputs are [B, L, E] (or unbatched [L, E]). Parameters and their names
/// follow PyTorch so state dicts correspond one to one: when kdim = vdim = E a packed
/// <c>in_proj_weight</c> [3E, E], otherwise <c>q_proj_weight</c> [E, E], <c>k_proj_weight</c> [E, kdim],
/// <c>v_proj_weight</c> [E, vdim]; <c>in_proj_bias</c> [3E]; and <c>out_proj.weight</c>/<c>out_proj.bias</c>.
/// In-projections are Xavier-uniform, biases zero, the output projection Kaiming-uniform as a Linear.
/// </summary>
/// <remarks>
/// The queries are scaled by 1/√head_dim before the product. Masks: a boolean key-padding mask [B, Lk]
/// (true = ignore: the score becomes −∞), an additive key-padding mask [B, Lk], and an additive
/// attention mask [Lq, Lk] or [B, Lq, Lk] added to every head's scores. A query whose keys are all
/// masked gets NaN, as in PyTorch. With a dropout probability, the attention weights are dropped
/// (inverted dropout) in training mode only, from a generator forked off the initialisation generator.
/// </remarks>
public sealed class MultiheadAttention : Module
{
    private readonly Dropout? _dropout;

    /// <summary>Creates the layer and initialises it from <paramref name="generator"/>.</summary>
    /// <param name="embedDim">Model dimension E (queries and output).</param>
    /// <param name="numHeads">Number of heads; must divide <paramref name="embedDim"/>.</param>
    /// <param name="generator">Random source for the initialisation.</param>
    /// <param name="bias">Whether the projections have biases.</param>
    /// <param name="kdim">Feature size of the keys (default E).</param>
    /// <param name="vdim">Feature size of the values (default E).</param>
    /// <param name="dropout">Dropout probability on the attention weights in training mode (0: none).</param>
    /// <exception cref="ArgumentException">The head count does not divide the dimension.</exception>
    public MultiheadAttention(int embedDim, int numHeads, Generator generator, bool bias = true, int? kdim = null, int? vdim = null, float dropout = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embedDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numHeads);
        ArgumentNullException.ThrowIfNull(generator);
        if (embedDim % numHeads != 0)
            throw new ArgumentException($"MultiheadAttention: embed dim {embedDim} is not divisible by {numHeads} heads.", nameof(numHeads));
        EmbedDim = embedDim;
        NumHeads = numHeads;
        KDim = kdim ?? embedDim;
        VDim = vdim ?? embedDim;
        int e = embedDim;
        if (KDim == e && VDim == e)
        {
            var w = Tensor.Zeros(3 * e, e);
            Init.XavierUniform(w, generator);
            InProjWeight = RegisterParameter("in_proj_weight", w);
        }
        else
        {
            var wq = Tensor.Zeros(e, e); var wk = Tensor.Zeros(e, KDim); var wv = Tensor.Zeros(e, VDim);
            Init.XavierUniform(wq, generator); Init.XavierUniform(wk, generator); Init.XavierUniform(wv, generator);
            QProjWeight = RegisterParameter("q_proj_weight", wq);
            KProjWeight = RegisterParameter("k_proj_weight", wk);
            VProjWeight = RegisterParameter("v_proj_weight", wv);
        }
        if (bias) InProjBias = RegisterParameter("in_proj_bias", Tensor.Zeros(3 * e));
        OutProj = RegisterModule("out_proj", new Linear(e, e, generator, bias));
        if (OutProj.Bias != null) Init.Zeros(OutProj.Bias);
        DropoutProbability = dropout;
        if (dropout > 0f) _dropout = new Dropout(dropout, generator.Fork());
        else if (dropout < 0f) throw new ArgumentOutOfRangeException(nameof(dropout), $"MultiheadAttention: dropout {dropout} is negative.");
    }

    /// <summary>Dropout probability on the attention weights (training mode only).</summary>
    public float DropoutProbability { get; }

    /// <summary>
    /// An additive causal mask [L, L] for <c>attnMask</c>: 0 on and below the diagonal, −∞ above it
    /// (query i attends to keys 0 … i only).
    /// </summary>
    /// <param name="length">Sequence length L.</param>
    public static Tensor CausalMask(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var m = Tensor.Zeros(length, length);
        var s = m.Span;
        for (int i = 0; i < length; i++)
            for (int j = i + 1; j < length; j++) s[i * length + j] = float.NegativeInfinity;
        return m;
    }

    /// <summary>Model dimension E.</summary>
    public int EmbedDim { get; }

    /// <summary>Number of heads.</summary>
    public int NumHeads { get; }

    /// <summary>Per-head dimension E / heads.</summary>
    public int HeadDim => EmbedDim / NumHeads;

    /// <summary>Feature size of the keys.</summary>
    public int KDim { get; }

    /// <summary>Feature size of the values.</summary>
    public int VDim { get; }

    /// <summary>Packed query/key/value projection [3E, E] (when kdim = vdim = E), else null.</summary>
    public Parameter? InProjWeight { get; }

    /// <summary>Query projection [E, E] (when kdim or vdim differ from E), else null.</summary>
    public Parameter? QProjWeight { get; }

    /// <summary>Key projection [E, kdim] (when kdim or vdim differ from E), else null.</summary>
    public Parameter? KProjWeight { get; }

    /// <summary>Value projection [E, vdim] (when kdim or vdim differ from E), else null.</summary>
    public Parameter? VProjWeight { get; }

    /// <summary>Packed in-projection bias [3E], or null.</summary>
    public Parameter? InProjBias { get; }

    /// <summary>The output projection E → E.</summary>
    public Linear OutProj { get; }

    /// <inheritdoc />
    protected override string Describe() => $"MultiheadAttention(E={EmbedDim}, heads={NumHeads}, kdim={KDim}, vdim={VDim})";

    /// <summary>Self-attention of <paramref name="x"/> [B, L, E] (no mask, no weights).</summary>
    /// <param name="x">Queries, keys and values.</param>
    public Tensor Forward(Tensor x) => Forward(x, x, x).Output;

    /// <summary>Attention of <paramref name="query"/> over <paramref name="key"/>/<paramref name="value"/>.</summary>
    /// <param name="query">[B, Lq, E] or [Lq, E].</param>
    /// <param name="key">[B, Lk, kdim] or [Lk, kdim].</param>
    /// <param name="value">[B, Lk, vdim] or [Lk, vdim].</param>
    /// <param name="keyPaddingMask">Boolean [B, Lk] (true = ignore that key), or null.</param>
    /// <param name="keyPaddingBias">Additive float key-padding mask [B, Lk], or null.</param>
    /// <param name="attnMask">Additive float mask [Lq, Lk] or [B, Lq, Lk] added to every head's scores, or null.</param>
    /// <param name="needWeights">Also return the attention weights (before dropout).</param>
    /// <param name="averageWeights">Average the returned weights over heads, [B, Lq, Lk]; otherwise [B, H, Lq, Lk].</param>
    /// <returns>The output [B, Lq, E] and, when asked, the weights.</returns>
    /// <exception cref="ArgumentException">Shapes do not fit; the message names the layer and the shapes.</exception>
    public (Tensor Output, Tensor? Weights) Forward(Tensor query, Tensor key, Tensor value,
        bool[,]? keyPaddingMask = null, Tensor? keyPaddingBias = null, Tensor? attnMask = null, bool needWeights = false, bool averageWeights = true)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        bool unbatched = query.Rank == 2;
        if (unbatched)
        {
            if (key.Rank != 2 || value.Rank != 2)
                throw new ArgumentException($"{Label}: unbatched query {query.Shape} needs unbatched key and value; got {key.Shape} and {value.Shape}.");
            var (o, w) = Forward(query.Unsqueeze(0), key.Unsqueeze(0), value.Unsqueeze(0), keyPaddingMask, keyPaddingBias?.Unsqueeze(0),
                attnMask, needWeights, averageWeights);
            return (o.Squeeze(0), w?.Squeeze(0));
        }
        if (query.Rank != 3 || key.Rank != 3 || value.Rank != 3)
            throw new ArgumentException($"{Label}: expected [B, L, E] inputs; got query {query.Shape}, key {key.Shape}, value {value.Shape}.");
        int b = query.Shape[0], lq = query.Shape[1], lk = key.Shape[1], e = EmbedDim, h = NumHeads, d = HeadDim;
        if (query.Shape[2] != e || key.Shape[2] != KDim || value.Shape[2] != VDim || key.Shape[0] != b || value.Shape[0] != b || value.Shape[1] != lk)
            throw new ArgumentException($"{Label}: shapes do not fit: query {query.Shape} (expected [B, Lq, {e}]), key {key.Shape} (expected [B, Lk, {KDim}]), value {value.Shape} (expected [B, Lk, {VDim}]).");

        Tensor q, k, v;
        if (InProjWeight != null && ReferenceEquals(query, key) && ReferenceEquals(key, value))
        {
            var qkv = Tensor.Linear(query, InProjWeight, InProjBias?.Value);        // [B, L, 3E]
            q = qkv.Slice(2, 0, e); k = qkv.Slice(2, e, e); v = qkv.Slice(2, 2 * e, e);
        }
        else
        {
            Tensor wq, wk, wv;
            if (InProjWeight != null)
            {
                wq = InProjWeight.Value.Slice(0, 0, e); wk = InProjWeight.Value.Slice(0, e, e); wv = InProjWeight.Value.Slice(0, 2 * e, e);
            }
            else { wq = QProjWeight!; wk = KProjWeight!; wv = VProjWeight!; }
            Tensor? bq = null, bk = null, bv = null;
            if (InProjBias != null) { bq = InProjBias.Value.Slice(0, 0, e); bk = InProjBias.Value.Slice(0, e, e); bv = InProjBias.Value.Slice(0, 2 * e, e); }
            q = Tensor.Linear(query, wq, bq); k = Tensor.Linear(key, wk, bk); v = Tensor.Linear(value, wv, bv);
        }
        q = (q * (float)(1.0 / Math.Sqrt(d))).Reshape(b, lq, h, d).Permute(0, 2, 1, 3);   // [B, H, Lq, d]
        k = k.Reshape(b, lk, h, d).Permute(0, 2, 1, 3);                                      // [B, H, Lk, d]
        v = v.Reshape(b, lk, h, d).Permute(0, 2, 1, 3);
        var scores = Tensor.MatMul(q, k, transposeB: true);                                 // [B, H, Lq, Lk]

        if (keyPaddingMask != null || keyPaddingBias != null)
        {
            var add = new float[b * lk];
            if (keyPaddingMask != null)
            {
                if (keyPaddingMask.GetLength(0) != b || keyPaddingMask.GetLength(1) != lk)
                    throw new ArgumentException($"{Label}: key padding mask is [{keyPaddingMask.GetLength(0)}, {keyPaddingMask.GetLength(1)}]; expected [{b}, {lk}] for key {key.Shape}.");
                for (int i = 0; i < b; i++)
                    for (int j = 0; j < lk; j++) if (keyPaddingMask[i, j]) add[i * lk + j] = float.NegativeInfinity;
            }
            if (keyPaddingBias != null)
            {
                if (keyPaddingBias.Shape != new TensorShape(b, lk))
                    throw new ArgumentException($"{Label}: additive key padding mask has shape {keyPaddingBias.Shape}; expected [{b}, {lk}] for key {key.Shape}.");
                var kb = keyPaddingBias.AsReadOnlySpan();
                for (int i = 0; i < add.Length; i++) add[i] += kb[i];
            }
            scores += Tensor.FromArray(add, b, 1, 1, lk);
        }
        if (attnMask != null)
        {
            if (attnMask.Rank == 2 && attnMask.Shape == new TensorShape(lq, lk)) scores += attnMask;
            else if (attnMask.Rank == 3 && attnMask.Shape == new TensorShape(b, lq, lk)) scores += attnMask.Unsqueeze(1);
            else throw new ArgumentException($"{Label}: attention mask has shape {attnMask.Shape}; expected [{lq}, {lk}] or [{b}, {lq}, {lk}].");
        }
        var attn = scores.Softmax(-1);
        var dropped = _dropout != null && IsTraining ? _dropout.Forward(attn) : attn;
        var ctx = Tensor.MatMul(dropped, v).Permute(0, 2, 1, 3).Reshape(b, lq, e);             // [B, Lq, E]
        var output = OutProj.Forward(ctx);
        return (output, needWeights ? (averageWeights ? attn.Mean(1) : attn) : null);
    }
}
