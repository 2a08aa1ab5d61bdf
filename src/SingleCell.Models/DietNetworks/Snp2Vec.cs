using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.DietNetworks;

/// <summary>
/// SNP2Vec (spec §4.3, <c>learn_snp2vec_dae.py</c>): a denoising autoencoder over SNPs. Each SNP is the
/// binary vector of its training samples' genotypes, two bits per sample [x = 2, x ≥ 1] (a missing call
/// counts as 0); masking noise zeroes each input bit with probability 0.25; encoder [100, 100] and mirrored
/// decoder with leaky ReLU, sigmoid output, binary cross-entropy against the clean bits; Adam lr 1e-3 decayed
/// ×0.99 per epoch, batches of 128 SNPs. The 100-unit code is the embedding. Trained by the shared
/// <see cref="Trainer"/> through its own <see cref="TrainingPlan"/> (items are SNPs).
/// </summary>
public static class Snp2Vec
{
    /// <summary>Probability with which masking noise zeroes an input bit (the authors' 0.25).</summary>
    public const double MaskingNoise = 0.25;

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
        => Fit(genotypes, rows, units, epochs, seed, progress, cancellationToken).Codes;

    /// <summary>Trains the autoencoder; returns the codes and the training history (<c>bce_train</c> per epoch).</summary>
    /// <param name="genotypes">Samples × SNPs.</param>
    /// <param name="rows">Samples that make up each SNP's vector.</param>
    /// <param name="units">Code width (the authors: 100).</param>
    /// <param name="epochs">Epochs (the authors: 1,000); 0 returns the codes of the untrained encoder.</param>
    /// <param name="seed">Seed of initialisation, noise and shuffling.</param>
    /// <param name="progress">Training progress.</param>
    /// <param name="cancellationToken">Stops training early (the codes of the last step are returned).</param>
    /// <exception cref="ArgumentException">No rows, a row out of range, or a non-positive width.</exception>
    public static Snp2VecResult Fit(GenotypeMatrix genotypes, int[] rows, int units = 100, int epochs = 1000, ulong seed = 1,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(genotypes);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        if (rows.Length == 0) throw new ArgumentException("SNP2Vec: no samples.", nameof(rows));
        foreach (int r in rows)
            if ((uint)r >= (uint)genotypes.Samples) throw new ArgumentException($"SNP2Vec: row {r} is outside the {genotypes.Samples} samples.", nameof(rows));
        int m = genotypes.Snps, width = 2 * rows.Length;
        var bits = Bits(genotypes, rows);
        var module = new Snp2VecModule(width, units, seed);
        var plan = new Snp2VecPlan(module, bits, width);
        TrainingHistory? history = null;
        if (epochs > 0)
        {
            var all = Enumerable.Range(0, m).ToArray();
            history = new Trainer(new TrainerOptions { MaxEpochs = epochs, Seed = seed }).Fit(plan, all, [], progress, cancellationToken);
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
        return new Snp2VecResult(codes, units, history);
    }

    /// <summary>
    /// The SNPs' input vectors: SNP j is row j of an M × 2n byte matrix, with bits 2i and 2i + 1 equal to
    /// [x_ij = 2] and [x_ij ≥ 1] for the i-th sample of <paramref name="rows"/> (a missing call gives 0, 0).
    /// </summary>
    internal static byte[] Bits(GenotypeMatrix genotypes, int[] rows)
    {
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
        return bits;
    }

    /// <summary>The autoencoder: encoder Linear(2n → u), LReLU, Linear(u → u), LReLU; decoder Linear(u → u), LReLU, Linear(u → 2n) giving logits.</summary>
    internal sealed class Snp2VecModule : Module
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

        /// <summary>Mean binary cross-entropy of the decoded <paramref name="noisy"/> bits against <paramref name="clean"/>, on logits z: softplus(z) − x·z = −[x log σ(z) + (1 − x) log(1 − σ(z))].</summary>
        internal Tensor Loss(Tensor noisy, Tensor clean)
        {
            var logits = Decoder.Forward(Encode(noisy));
            return (logits.Softplus() - clean * logits).Mean();
        }
    }

    internal sealed class Snp2VecPlan(Snp2VecModule module, byte[] bits, int width) : TrainingPlan
    {
        public override Module Module => module;

        public override int ItemCount => bits.Length / width;

        public override TrainerOptions Defaults { get; } = new()
        {
            BatchSize = 128, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, Scheduler = SchedulerOptions.Step(1, 0.99),
        };

        /// <summary>The SNPs' bit vectors [B, width]; with <paramref name="noise"/>, each bit is zeroed with probability <see cref="MaskingNoise"/>.</summary>
        internal Tensor Batch(ReadOnlySpan<int> snps, Generator? noise)
        {
            var x = new float[(long)snps.Length * width];
            for (int b = 0; b < snps.Length; b++)
            {
                var src = bits.AsSpan((int)((long)snps[b] * width), width);
                var dst = x.AsSpan(b * width, width);
                for (int k = 0; k < width; k++) dst[k] = src[k];
                if (noise != null)
                    for (int k = 0; k < width; k++)
                        if (noise.NextDouble() < MaskingNoise) dst[k] = 0f;
            }
            return Tensor.FromArray(x, snps.Length, width);
        }

        public override LossOutput Loss(ReadOnlySpan<int> batch, LossContext context)
        {
            var bce = module.Loss(Batch(batch, module.Noise), Batch(batch, null));
            return new LossOutput(bce, new Dictionary<string, double> { ["bce"] = bce.Item() });
        }
    }
}

/// <summary>What <see cref="Snp2Vec.Fit"/> returns.</summary>
/// <param name="Codes">SNPs × <paramref name="Units"/> codes, row-major.</param>
/// <param name="Units">Code width.</param>
/// <param name="History">The autoencoder's training history (<c>bce_train</c> per epoch); null when no epoch ran.</param>
public sealed record Snp2VecResult(float[] Codes, int Units, TrainingHistory? History);
