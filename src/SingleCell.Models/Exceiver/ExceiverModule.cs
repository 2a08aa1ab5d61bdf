using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Exceiver;

/// <summary>
/// The Exceiver network (spec §2.4): value-scaled gene embeddings as keys and values, a learned latent
/// query array, the encoder cross-attention (packed over each cell's keys), L post-norm self-attention
/// layers on the latents, the decoder cross-attention with gene-embedding queries, and the 2-layer
/// regression head; with classes, the class query token (embedding row G + 1) and the classification
/// head of §2.6. The preprocessing state (scaler, n_mask) is held in buffers so checkpoints carry it.
/// </summary>
internal sealed class ExceiverModule : Module
{
    internal ExceiverModule(int genes, int classes, ExceiverOptions options)
    {
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(genes);
        ArgumentOutOfRangeException.ThrowIfNegative(classes);
        Options = options;
        Genes = genes;
        Classes = classes;
        var init = new Generator(options.Seed);
        GeneEmbedding = RegisterModule("gene_embedding", new Embedding(genes + 1 + (classes > 0 ? 1 : 0), options.GeneDim, init, paddingIndex: genes));
        LatentQueries = RegisterParameter("latent_queries", Tensor.RandomNormal(init, [options.Latents, options.LatentDim]));
        Encoder = RegisterModule("encoder", new CrossAttentionBlock(options.LatentDim, options.GeneDim, options.Heads, init));
        Process = RegisterModule("process", new ModuleList<SelfAttentionLayer>());
        for (int l = 0; l < options.Layers; l++)
        {
            var layer = new SelfAttentionLayer(options.LatentDim, options.Heads, options.FeedForward, init);
            // nn.TransformerEncoder deep-copies one layer: all layers start identical.
            if (l > 0) layer.LoadStateDict(Process[0].StateDict());
            Process.Add(layer);
        }
        Decoder = RegisterModule("decoder", new CrossAttentionBlock(options.GeneDim, options.LatentDim, options.Heads, init));
        HeadNorm = RegisterModule("head_norm", new LayerNorm(options.GeneDim));
        HeadLinear1 = RegisterModule("head_linear1", new Linear(options.GeneDim, 1, init));
        HeadLinear2 = RegisterModule("head_linear2", new Linear(1, 1, init));
        if (classes > 0)
        {
            ClassNorm = RegisterModule("class_norm", new LayerNorm(options.GeneDim));
            ClassLinear1 = RegisterModule("class_linear1", new Linear(options.GeneDim, classes, init));
            ClassLinear2 = RegisterModule("class_linear2", new Linear(classes, classes, init));
        }
        ScalerMean = RegisterBuffer("scaler_mean", Tensor.Zeros(genes));
        ScalerScale = RegisterBuffer("scaler_scale", Tensor.Ones(genes));
        MaskCountBuffer = RegisterBuffer("mask_count", Tensor.Zeros(1));
    }

    internal ExceiverOptions Options { get; }

    /// <summary>Vocabulary size G (the mask token is row G).</summary>
    internal int Genes { get; }

    /// <summary>Number of classes (0: the pretraining model).</summary>
    internal int Classes { get; }

    internal Embedding GeneEmbedding { get; }

    internal Parameter LatentQueries { get; }

    internal CrossAttentionBlock Encoder { get; }

    internal ModuleList<SelfAttentionLayer> Process { get; }

    internal CrossAttentionBlock Decoder { get; }

    internal LayerNorm HeadNorm { get; }

    internal Linear HeadLinear1 { get; }

    internal Linear HeadLinear2 { get; }

    internal LayerNorm? ClassNorm { get; }

    internal Linear? ClassLinear1 { get; }

    internal Linear? ClassLinear2 { get; }

    /// <summary>Per-gene means of the log-normalised training values.</summary>
    internal Tensor ScalerMean { get; }

    /// <summary>Per-gene standard deviations of the log-normalised training values.</summary>
    internal Tensor ScalerScale { get; }

    /// <summary>n_mask as a one-element buffer (0 until the first fit).</summary>
    internal Tensor MaskCountBuffer { get; }

    /// <summary>Genes masked per cell in training; 0 before the scaler is fitted.</summary>
    internal int MaskCount
    {
        get => (int)MaskCountBuffer.AsReadOnlySpan()[0];
        set => MaskCountBuffer.Span[0] = value;
    }

    /// <summary>The processed latents Z′ [B, N_q, d_q] of a batch: encoder cross-attention, then the self-attention layers.</summary>
    internal Tensor Latents(ExceiverBatch batch)
    {
        int n = batch.KeyIds.Length;
        var kv = Tensor.Embedding(GeneEmbedding.Weight, batch.KeyIds, [n], GeneEmbedding.PaddingIndex)
                 * Tensor.FromArray(batch.KeyValues, n, 1);
        var z = Encoder.ForwardPacked(LatentQueries, kv, batch.Offsets, batch.KeyBias);
        foreach (var layer in Process) z = layer.Forward(z);
        return z;
    }

    /// <summary>Predicted standardised values [B, M] of genes <paramref name="geneIds"/> (B × M, row-major) from latents z.</summary>
    internal Tensor PredictGenes(Tensor z, int[] geneIds, int m)
    {
        int b = z.Shape[0];
        var q = Tensor.Embedding(GeneEmbedding.Weight, geneIds, [b, m], GeneEmbedding.PaddingIndex);
        var y = Decoder.Forward(q, z);
        var h = HeadLinear2.Forward(HeadLinear1.Forward(HeadNorm.Forward(y)).Gelu());   // [B, M, 1]
        return h.Reshape(b, m);
    }

    /// <summary>Class logits [B, C] from latents z (the decoder's output at the class query token).</summary>
    internal Tensor ClassLogits(Tensor z)
    {
        if (Classes == 0) throw new InvalidOperationException("Exceiver: this network has no classification head.");
        int b = z.Shape[0];
        var token = new int[b];
        Array.Fill(token, Genes + 1);
        var q = Tensor.Embedding(GeneEmbedding.Weight, token, [b, 1], GeneEmbedding.PaddingIndex);
        var y = Decoder.Forward(q, z).Reshape(b, Options.GeneDim);
        return ClassLinear2!.Forward(ClassLinear1!.Forward(ClassNorm!.Forward(y)).Gelu());
    }

    /// <summary>
    /// The loss of a masked batch: MSE of the masked genes' predictions (<c>mse</c>), plus, with class
    /// labels, the cross-entropy of the class token (<c>cross_entropy</c>, unweighted sum as §2.6) and
    /// the batch accuracy (<c>accuracy</c>), the total being λ·MSE + CE (<see cref="ExceiverOptions.MaskedValueWeight"/>); <c>mse_gene_mean</c> records the MSE of predicting each
    /// gene's training mean for the same masked genes (the baseline the model must beat).
    /// </summary>
    internal LossOutput Loss(ExceiverBatch batch, int[]? labels)
    {
        var z = Latents(batch);
        var pred = PredictGenes(z, batch.MaskIds, batch.Masked);
        var diff = pred - batch.TargetTensor();
        var mse = (diff * diff).Mean();
        double baseline = 0;
        foreach (var t in batch.Targets) baseline += (t - 1.0) * (t - 1.0);
        // mse_gene_mean: predicting each gene's training mean (standardised value 1) for the same genes.
        var terms = new Dictionary<string, double> { ["mse"] = mse.Item(), ["mse_gene_mean"] = baseline / Math.Max(1, batch.Targets.Length) };
        if (labels == null || Classes == 0) return new LossOutput(mse, terms);
        var logits = ClassLogits(z);
        var logp = logits.LogSoftmax(-1);
        var ce = -logp.Gather(1, labels, [labels.Length, 1]).Mean();
        var lp = logp.AsReadOnlySpan();
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int best = 0;
            for (int c = 1; c < Classes; c++) if (lp[i * Classes + c] > lp[i * Classes + best]) best = c;
            if (best == labels[i]) correct++;
        }
        terms["cross_entropy"] = ce.Item();
        terms["accuracy"] = (double)correct / labels.Length;
        double lambda = Options.MaskedValueWeight;
        var total = lambda == 1 ? mse + ce : lambda == 0 ? ce : mse * (float)lambda + ce;
        return new LossOutput(total, terms);
    }
}
