using SingleCell.Models.NN;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Exceiver;

/// <summary>
/// The Exceiver's cross-attention block (spec §2.4, used by the encoder and the decoder):
/// a = MHA(LN_q(query), LN_kv(kv), LN_kv(kv)); u = a + query (residual on the un-normalised query);
/// out = u + Lin_b(LN_b(GELU(Lin_a(LN_a(u))))) with Lin_a, Lin_b of the query's width.
/// </summary>
internal sealed class CrossAttentionBlock : Module
{
    internal CrossAttentionBlock(int queryDim, int kvDim, int heads, Generator init)
    {
        QueryNorm = RegisterModule("query_norm", new LayerNorm(queryDim));
        KvNorm = RegisterModule("kv_norm", new LayerNorm(kvDim));
        Attention = RegisterModule("attention", new MultiheadAttention(queryDim, heads, init, kdim: kvDim, vdim: kvDim));
        FfNormA = RegisterModule("ff_norm_a", new LayerNorm(queryDim));
        FfLinearA = RegisterModule("ff_linear_a", new Linear(queryDim, queryDim, init));
        FfNormB = RegisterModule("ff_norm_b", new LayerNorm(queryDim));
        FfLinearB = RegisterModule("ff_linear_b", new Linear(queryDim, queryDim, init));
    }

    internal LayerNorm QueryNorm { get; }

    internal LayerNorm KvNorm { get; }

    internal MultiheadAttention Attention { get; }

    internal LayerNorm FfNormA { get; }

    internal Linear FfLinearA { get; }

    internal LayerNorm FfNormB { get; }

    internal Linear FfLinearB { get; }

    /// <summary>The residual feed-forward: u + Lin_b(LN_b(GELU(Lin_a(LN_a(u))))).</summary>
    private Tensor FeedForward(Tensor u) => u + FfLinearB.Forward(FfNormB.Forward(FfLinearA.Forward(FfNormA.Forward(u)).Gelu()));

    /// <summary>
    /// Dense cross-attention: query [B, M, dq] over kv [B, L, dkv] (the decoder, unmasked); with a mask
    /// it is also the unfused composition the packed encoder is tested against.
    /// </summary>
    internal Tensor Forward(Tensor query, Tensor kv, bool[,]? keyPaddingMask = null, Tensor? keyPaddingBias = null)
    {
        var kvn = KvNorm.Forward(kv);
        var a = Attention.Forward(QueryNorm.Forward(query), kvn, kvn, keyPaddingMask, keyPaddingBias).Output;
        return FeedForward(a + query);
    }

    /// <summary>The in-projection weights and biases (q, k, v) of the attention layer.</summary>
    private (Tensor Wq, Tensor Wk, Tensor Wv, Tensor? Bq, Tensor? Bk, Tensor? Bv) Projections()
    {
        var m = Attention;
        int e = m.EmbedDim;
        Tensor wq, wk, wv;
        if (m.InProjWeight != null)
        {
            var w = m.InProjWeight.Value;
            wq = w.Slice(0, 0, e); wk = w.Slice(0, e, e); wv = w.Slice(0, 2 * e, e);
        }
        else { wq = m.QProjWeight!; wk = m.KProjWeight!; wv = m.VProjWeight!; }
        Tensor? bq = null, bk = null, bv = null;
        if (m.InProjBias != null) { var b = m.InProjBias.Value; bq = b.Slice(0, 0, e); bk = b.Slice(0, e, e); bv = b.Slice(0, 2 * e, e); }
        return (wq, wk, wv, bq, bk, bv);
    }

    /// <summary>
    /// Packed cross-attention (the encoder): the shared query array [Nq, dq] over each cell's packed keys
    /// kv [N, dkv] (cell b owns rows offsets[b] … offsets[b+1]−1), with an optional additive score bias
    /// per key; the attention itself is the fused <see cref="PackedAttention"/>. Returns [B, Nq, dq].
    /// </summary>
    internal Tensor ForwardPacked(Tensor query, Tensor kv, int[] offsets, float[]? bias)
    {
        var (wq, wk, wv, bq, bk, bv) = Projections();
        var kvn = KvNorm.Forward(kv);
        var q = Tensor.Linear(QueryNorm.Forward(query), wq, bq) * (float)(1.0 / Math.Sqrt(Attention.HeadDim));
        var k = Tensor.Linear(kvn, wk, bk);
        var v = Tensor.Linear(kvn, wv, bv);
        var ctx = PackedAttention.Forward(q, k, v, offsets, bias, Attention.NumHeads);
        var a = Attention.OutProj.Forward(ctx);
        return FeedForward(a + query);
    }
}

/// <summary>
/// A self-attention layer on the latents with PyTorch's <c>TransformerEncoderLayer</c> semantics
/// (post-norm, no dropout, exact-erf GELU, LayerNorm eps 1e-5):
/// x = LN1(x + SelfAttn(x)); x = LN2(x + W2·GELU(W1·x + b1) + b2). Names follow PyTorch.
/// </summary>
internal sealed class SelfAttentionLayer : Module
{
    internal SelfAttentionLayer(int dim, int heads, int feedForward, Generator init)
    {
        SelfAttention = RegisterModule("self_attn", new MultiheadAttention(dim, heads, init));
        Linear1 = RegisterModule("linear1", new Linear(dim, feedForward, init));
        Linear2 = RegisterModule("linear2", new Linear(feedForward, dim, init));
        Norm1 = RegisterModule("norm1", new LayerNorm(dim));
        Norm2 = RegisterModule("norm2", new LayerNorm(dim));
    }

    internal MultiheadAttention SelfAttention { get; }

    internal Linear Linear1 { get; }

    internal Linear Linear2 { get; }

    internal LayerNorm Norm1 { get; }

    internal LayerNorm Norm2 { get; }

    /// <summary>One layer on x [B, N, d].</summary>
    internal Tensor Forward(Tensor x)
    {
        x = Norm1.Forward(x + SelfAttention.Forward(x));
        // W2·GELU(W1·x + b1) + b2, fused: the [tokens, feed-forward] activations are never stored.
        return Norm2.Forward(x + FusedFeedForward.Forward(x, Linear1.Weight, Linear1.Bias!.Value, Linear2.Weight, Linear2.Bias!.Value));
    }
}
