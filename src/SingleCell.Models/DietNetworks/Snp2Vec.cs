using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.DietNetworks;

/// <summary>
/// SNP2Vec (spec §4.3, <c>learn_snp2vec_dae.py</c>): a denoising autoencoder over SNPs. Each SNP is the
/// binary vector of its training samples' genotypes, two bits per sample [x = 2, x ≥ 1]; masking noise
/// zeroes 25 % of the bits; encoder [100, 100] and mirrored decoder with leaky ReLU, sigmoid output,
/// binary cross-entropy; Adam lr 1e-3 decayed ×0.99 per epoch. The 100-unit code is the embedding.
/// Trained by the shared <see cref="Trainer"/> through its own plan (items are SNPs).
/// </summary>
public static class Snp2Vec
{
    /// <summary>Trains the autoencoder and returns the SNPs × <paramref name="units"/> codes (row-major).</summary>
    /// <param name="genotypes">Samples × SNPs.</param>
    /// <param name="rows">Samples that make up each SNP's vector.</param>
    /// <param name="units">Code width (the authors: 100).</param>
    /// <param name="epochs">Epochs (the authors: 1,000).</param>
    /// <param name="seed">Seed of initialisation, noise and shuffling.</param>
    /// <param name="progress">Training progress.</param>
    /// <param name="cancellationToken">Stops training early (the codes of the last step are returned).</param>
    public static float[] Embed(GenotypeMatrix genotypes, int[] rows, int units = 100, int epochs = 1000, ulong seed = 1,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(genotypes);
        ArgumentNullException.ThrowIfNull(rows);
        int m = genotypes.Snps, n = rows.Length;
        var bits = new byte[(long)m * 2 * n];
        for (int i = 0; i < n; i++)
        {
            var row = genotypes.Row(rows[i]);
            for (int j = 0; j < m; j++)
            {
                long o = (long)j * 2 * n + 2 * i;
                bits[o] = (byte)(row[j] == 2 ? 1 : 0);
                bits[o + 1] = (byte)(row[j] >= 1 ? 1 : 0);
            }
        }
        var module = new Snp2VecModule(2 * n, units, seed);
        var plan = new Snp2VecPlan(module, bits, 2 * n);
        if (epochs > 0)
        {
            var all = Enumerable.Range(0, m).ToArray();
            new Trainer(new TrainerOptions { MaxEpochs = epochs, Seed = seed }).Fit(plan, all, [], progress, cancellationToken);
        }
        module.Eval();
        var codes = new float[(long)m * units];
        using (Tensor.NoGrad())
        {
            for (int start = 0; start < m; start += 1024)
            {
                int len = Math.Min(1024, m - start);
                var batch = Enumerable.Range(start, len).ToArray();
                module.Encode(plan.Batch(batch, null)).AsReadOnlySpan().CopyTo(codes.AsSpan(start * units, len * units));
            }
        }
        return codes;
    }

    private sealed class Snp2VecModule : Module
    {
        internal Snp2VecModule(int inputs, int units, ulong seed)
        {
            var init = new Generator(seed);
            Noise = new Generator(seed ^ 0x5851F42D4C957F2DUL);
            Encoder = RegisterModule("encoder", new Sequential(new Linear(inputs, units, init), new LeakyReLU(), new Linear(units, units, init), new LeakyReLU()));
            Decoder = RegisterModule("decoder", new Sequential(new Linear(units, units, init), new LeakyReLU(), new Linear(units, inputs, init)));
        }

        internal Generator Noise { get; }

        internal Sequential Encoder { get; }

        internal Sequential Decoder { get; }

        internal Tensor Encode(Tensor x) => Encoder.Forward(x);
    }

    private sealed class Snp2VecPlan(Snp2VecModule module, byte[] bits, int width) : TrainingPlan
    {
        public override Module Module => module;

        public override int ItemCount => bits.Length / width;

        public override TrainerOptions Defaults { get; } = new()
        {
            BatchSize = 128, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, Scheduler = SchedulerOptions.Step(1, 0.99),
        };

        /// <summary>The SNPs' bit vectors [B, width]; with <paramref name="noise"/>, each bit is zeroed with probability 0.25.</summary>
        internal Tensor Batch(ReadOnlySpan<int> snps, Generator? noise)
        {
            var x = new float[(long)snps.Length * width];
            for (int b = 0; b < snps.Length; b++)
            {
                var src = bits.AsSpan((int)((long)snps[b] * width), width);
                for (int k = 0; k < width; k++)
                    x[b * width + k] = noise != null && noise.NextDouble() < 0.25 ? 0f : src[k];
            }
            return Tensor.FromArray(x, snps.Length, width);
        }

        public override LossOutput Loss(ReadOnlySpan<int> batch, LossContext context)
        {
            var clean = Batch(batch, null);
            var noisy = Batch(batch, module.Noise);
            var logits = module.Decoder.Forward(module.Encode(noisy));
            // Binary cross-entropy on logits: softplus(z) − x·z, averaged over bits.
            var bce = (logits.Softplus() - clean * logits).Mean();
            return new LossOutput(bce, new Dictionary<string, double> { ["bce"] = bce.Item() });
        }
    }
}
