using SingleCell.Models.Distributions;
using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Svae;

/// <summary>
/// The network of the sparse-mechanism-shift VAE (spec Part 1): encoder q(z | x) on log(1 + x),
/// decoder ρ = softmax(f(z)) with NB(l·ρ, θ) likelihood at the observed library size l, label prior
/// N(γ ⊙ μ_a, I), and the Gumbel-sigmoid mask γ with logits λ.
/// </summary>
internal sealed class SvaeModule : Module
{
    private readonly SvaeOptions _options;
    private readonly Generator _rng;

    internal SvaeModule(int genes, int labels, SvaeOptions options)
    {
        options.Validate();
        _options = options;
        Genes = genes;
        Labels = labels;
        var init = new Generator(options.Seed);
        _rng = new Generator(options.Seed ^ 0x9E3779B97F4A7C15UL);
        Encoder = RegisterModule("encoder", Blocks(genes, options, options.DropoutRate, init));
        QMean = RegisterModule("q_mean", new Linear(options.HiddenDim, options.LatentDim, init));
        QLogVar = RegisterModule("q_var", new Linear(options.HiddenDim, options.LatentDim, init));
        Decoder = RegisterModule("decoder", Blocks(options.LatentDim, options, 0f, init));
        PxScale = RegisterModule("px_scale", new Linear(options.HiddenDim, genes, init));
        PxR = RegisterParameter("px_r", new Parameter(Tensor.RandomNormal(init, [genes])));
        PriorMean = RegisterParameter("action_prior_mean", new Parameter(Tensor.RandomNormal(init, [labels, options.LatentDim])));
        MaskLogits = RegisterParameter("mask_logits", new Parameter(Tensor.Full(options.InitialMaskLogit, labels, options.LatentDim)));
        // The frozen mask of the transfer protocol is state: buffers, so checkpoints carry it.
        FrozenMask = RegisterBuffer("frozen_mask", Tensor.Zeros(labels, options.LatentDim));
        MaskIsFrozen = RegisterBuffer("mask_is_frozen", Tensor.Zeros());
    }

    internal int Genes { get; }

    internal int Labels { get; }

    internal Sequential Encoder { get; }

    internal Linear QMean { get; }

    internal Linear QLogVar { get; }

    internal Sequential Decoder { get; }

    internal Linear PxScale { get; }

    /// <summary>Per-gene log inverse dispersion r; θ = exp(r).</summary>
    internal Parameter PxR { get; }

    /// <summary>μ_A, the K × p intervention means.</summary>
    internal Parameter PriorMean { get; }

    /// <summary>λ, the K × p mask logits; π = σ(λ).</summary>
    internal Parameter MaskLogits { get; }

    internal SvaeOptions Options => _options;

    /// <summary>The deterministic 0/1 mask after <see cref="FreezeMask"/>, or null while it is learned.</summary>
    /// <summary>The frozen 0/1 mask (labels × latents); meaningful when <see cref="MaskIsFrozen"/> holds 1.</summary>
    internal Tensor FrozenMask { get; }

    /// <summary>A scalar buffer: 1 once the mask is frozen (transfer protocol), else 0.</summary>
    internal Tensor MaskIsFrozen { get; }

    internal bool IsMaskFrozen => MaskIsFrozen.AsReadOnlySpan()[0] != 0f;

    /// <summary>α: the Beta prior parameter (sVAE+) or L1 weight (sVAE).</summary>
    internal double SparsityPenalty => _options.SparsityPenalty ?? (_options.Variant == SvaeVariant.SvaePlus ? Labels : 1.0);

    private static Sequential Blocks(int inputs, SvaeOptions o, float dropout, Generator init)
    {
        var seq = new Sequential();
        for (int i = 0; i < o.Layers; i++)
        {
            seq.Add(new Linear(i == 0 ? inputs : o.HiddenDim, o.HiddenDim, init));
            seq.Add(new BatchNorm1d(o.HiddenDim, eps: 1e-3f, momentum: 0.01f));
            seq.Add(new ReLU());
            if (dropout > 0) seq.Add(new Dropout(dropout, init.Fork()));
        }
        return seq;
    }

    /// <summary>q(z | x): posterior mean and variance (exp(·) + 1e-4), from log(1 + x).</summary>
    internal (Tensor Mean, Tensor Var) Inference(Tensor counts)
    {
        var logCounts = counts.Log1p();
        var h = Encoder.Forward(logCounts);
        logCounts.ReleaseIntermediate();
        return (QMean.Forward(h), QLogVar.Forward(h).Exp() + 1e-4f);
    }

    /// <summary>z = m + √v ⊙ ε with ε ~ N(0, I) from the module's generator.</summary>
    internal Tensor Sample(Tensor mean, Tensor var) =>
        mean + var.Sqrt() * Tensor.RandomNormal(_rng, mean.Shape.ToArray());

    /// <summary>Decoder frequencies ρ = softmax(f(z)) over genes.</summary>
    internal Tensor Decode(Tensor z) => DecodeLogits(z).Softmax(-1);

    /// <summary>The decoder's logits f(z), before the softmax over genes.</summary>
    internal Tensor DecodeLogits(Tensor z) => PxScale.Forward(Decoder.Forward(z));

    /// <summary>
    /// The prior mean of each cell, γ ⊙ μ_a (zero for unperturbed cells, label −1, and for the VAE
    /// variants). γ is the straight-through Gumbel-sigmoid sample, or the frozen mask.
    /// </summary>
    internal Tensor PriorMeanOf(ReadOnlySpan<int> labels)
    {
        int b = labels.Length, p = _options.LatentDim;
        if (!_options.UsesLabelPrior) return Tensor.Zeros(b, p);
        var rows = new int[b];
        var perturbed = new float[b];
        for (int i = 0; i < b; i++)
        {
            rows[i] = labels[i] < 0 ? 0 : labels[i];
            perturbed[i] = labels[i] < 0 ? 0f : 1f;
        }
        var mu = ((Tensor)PriorMean).IndexSelect(0, rows);
        var mask = MaskOf(rows) * Tensor.FromArray(perturbed, b, 1);
        return mu * mask;
    }

    private Tensor MaskOf(int[] rows)
    {
        if (IsMaskFrozen) return FrozenMask.IndexSelect(0, rows);
        // Straight-through Gumbel-sigmoid: forward 1[σ((λ + L)/τ) > ½], gradient of the relaxed sample.
        return new RelaxedBernoulli(((Tensor)MaskLogits).IndexSelect(0, rows), _options.Temperature).RSample(_rng, hard: true);
    }

    internal void FreezeMask() => SetFixedMask(ThresholdedMask());

    /// <summary>Per-cell log NB(x | l·softmax(η), θ), summed over genes: [B] (one fused operation).</summary>
    internal Tensor LogLikelihood(Tensor counts, Tensor library, Tensor logits) =>
        Distributions.NegativeBinomial.LogProbFromLogits(counts, library, logits, ((Tensor)PxR).Exp());

    /// <summary>Closed-form KL(N(m, v) ‖ N(μ, I)) summed over the latent dimensions: [B].</summary>
    internal static Tensor KlToUnitPrior(Tensor mean, Tensor var, Tensor priorMean) =>
        Normal.KlDivergence(Normal.FromVariance(mean, var), new Normal(priorMean, Tensor.OnesLike(priorMean))).Sum(1);

    /// <summary>The objective of spec §1.5 for one mini-batch.</summary>
    /// <param name="counts">Raw counts [B, G].</param>
    /// <param name="labels">Label index per cell (−1: unperturbed).</param>
    /// <param name="klWeight">The KL warm-up weight w ∈ [0, 1].</param>
    /// <param name="trainItemCount">Training-set size (scvi-tools' n_obs, which the sVAE+ loss scales by).</param>
    /// <param name="useGlobalKl">False after the mask is frozen (sVAE+: the Beta log-density is −∞ on a 0/1 mask).</param>
    /// <param name="warmup">False after binarisation: the local KL weight is then 1 instead of β·w.</param>
    internal LossOutput Loss(Tensor counts, ReadOnlySpan<int> labels, double klWeight, int trainItemCount, bool useGlobalKl = true, bool warmup = true)
    {
        var library = counts.Sum(1, keepDim: true);
        var (qm, qv) = Inference(counts);
        var z = Sample(qm, qv);
        var pm = PriorMeanOf(labels);
        var kl = KlToUnitPrior(qm, qv, pm);
        var logits = DecodeLogits(z);
        var ll = LogLikelihood(counts, library, logits);
        logits.ReleaseIntermediate();
        double w = klWeight;
        float klCoef = (float)(warmup ? _options.Beta * w : 1.0);
        var perCell = -ll + kl * klCoef;
        Tensor total;
        double global = 0;
        if (_options.Variant == SvaeVariant.SvaePlus)
        {
            total = perCell.Mean() * (float)trainItemCount;
            if (useGlobalKl && !IsMaskFrozen)
            {
                // KLglobal = −Σ [log α + (α − 1) log(1 − π)]
                double a = SparsityPenalty;
                var pi = ((Tensor)MaskLogits).Sigmoid();
                var klGlobal = ((1f - pi + 1e-8f).Log() * (float)(a - 1) + (float)Math.Log(a)).Sum().Neg();
                global = klGlobal.Item();
                total = total + klGlobal * (float)w;
            }
        }
        else
        {
            total = perCell.Mean();
            if (_options.Variant == SvaeVariant.Svae && !IsMaskFrozen)
            {
                var penalty = ((Tensor)MaskLogits).Sigmoid().Mean() * (float)SparsityPenalty;
                global = penalty.Item();
                total = total + penalty;
            }
        }
        double rate = 0;
        if (_options.UsesLabelPrior)
        {
            // The share of (label, latent) pairs in the mask: frozen, or 1[σ(λ) > 0.5] ⇔ λ > 0.
            if (IsMaskFrozen) foreach (var v in FrozenMask.AsReadOnlySpan()) rate += v;
            else foreach (var l in ((Tensor)MaskLogits).AsReadOnlySpan()) if (l > 0f) rate++;
            rate /= (double)Labels * _options.LatentDim;
        }
        double reconstruction = -ll.Mean().Item(), klLocal = kl.Mean().Item();
        return new LossOutput(total, new Dictionary<string, double>(StringComparer.Ordinal)
        {
            // nELBO per cell, unweighted (positive, as scvi-tools logs it).
            ["elbo"] = reconstruction + klLocal,
            ["reconstruction_loss"] = reconstruction,
            ["kl_local"] = klLocal,
            ["kl_global"] = global,
            ["mask_rate"] = rate,
        });
    }

    /// <summary>Restores a frozen mask (from a checkpoint).</summary>
    internal void SetFixedMask(ReadOnlySpan<float> mask)
    {
        if (mask.Length != Labels * _options.LatentDim)
            throw new ArgumentException($"The mask has {mask.Length} entries; the model needs {Labels} × {_options.LatentDim}.");
        using (Tensor.NoGrad())
        {
            FrozenMask.CopyFrom(Tensor.FromSpan(mask, Labels, _options.LatentDim));
            MaskIsFrozen.CopyFrom(Tensor.Full(1f));
        }
    }

    /// <summary>1[σ(λ) &gt; 0.5] for every (label, latent).</summary>
    internal float[] ThresholdedMask()
    {
        var l = ((Tensor)MaskLogits).AsReadOnlySpan();
        var m = new float[l.Length];
        for (int i = 0; i < l.Length; i++) m[i] = l[i] > 0f ? 1f : 0f;
        return m;
    }
}
