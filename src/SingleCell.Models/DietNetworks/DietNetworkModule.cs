using SingleCell.Models.Distributions;
using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.DietNetworks;

/// <summary>
/// The Diet Network (spec §4.4). Auxiliary network: U = E (histogram, SNP2Vec) or U = ReLU(E·Pᵀ + p)
/// (random projection, frozen P; raw end2end, trained P) and W_e = tanh(…tanh(U·Aᵀ + a)…) ∈ ℝ^{M×100}.
/// Discriminative network: h1 = ReLU(x·W_e + b1) (one GEMM of the standardised batch), then
/// BN → dropout → Dense(100, ReLU) → BN → dropout → Dense(classes), softmax. Reconstruction (γ &gt; 0):
/// W_d from a second auxiliary net sharing E and P, x̂ = ReLU(h1·W_dᵀ + b_d). The basic model has a free
/// fat layer [100, M] (and a free W_d [M, 100]). Buffers: the embedding E and the per-SNP μ and 1/σ.
/// </summary>
internal sealed class DietNetworkModule : Module
{
    internal DietNetworkModule(int snps, int classes, int embeddingInputs, DietNetworkOptions options)
    {
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(snps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Options = options;
        Snps = snps; Classes = classes;
        var init = new Generator(options.Seed);
        var dropout = new Generator(options.Seed ^ 0x9E3779B97F4A7C15UL);
        int fat = options.FatWidth;
        InputMean = RegisterBuffer("input_mean", Tensor.Zeros(snps));
        InputScale = RegisterBuffer("input_scale", Tensor.Ones(snps));
        if (options.Embedding == DietEmbedding.None)
        {
            FatWeight = RegisterParameter("fat_weight", Glorot(init, fat, snps));
            if (options.Reconstructs) DecoderWeight = RegisterParameter("decoder_weight", Glorot(init, snps, fat));
        }
        else
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(embeddingInputs, 1);
            Embedding = RegisterBuffer("embedding", Tensor.Zeros(snps, embeddingInputs));
            int width = embeddingInputs;
            if (options.ProjectsTransposed)
            {
                Projection = RegisterModule("projection", AuxLinear(embeddingInputs, options.EmbeddingUnits, init));
                if (options.Embedding == DietEmbedding.RandomProjection)
                    foreach (var p in Projection.Parameters()) p.RequiresGrad = false;
                width = options.EmbeddingUnits;
            }
            Encoder = RegisterModule("encoder", AuxNet(width, options, init));
            if (options.Reconstructs) Decoder = RegisterModule("decoder", AuxNet(width, options, init));
        }
        FatBias = RegisterParameter("fat_bias", Tensor.Zeros(fat));
        if (options.Reconstructs) ReconstructionBias = RegisterParameter("reconstruction_bias", Tensor.Zeros(snps));
        Head = RegisterModule("head", new Sequential(
            new BatchNorm1d(fat), new Dropout(options.DropoutRate, dropout.Fork()), new Linear(fat, options.HiddenWidth, init), new ReLU(),
            new BatchNorm1d(options.HiddenWidth), new Dropout(options.DropoutRate, dropout.Fork()), new Linear(options.HiddenWidth, classes, init)));
    }

    internal DietNetworkOptions Options { get; }

    internal int Snps { get; }

    internal int Classes { get; }

    internal Tensor InputMean { get; }

    internal Tensor InputScale { get; }

    internal Tensor? Embedding { get; }

    internal Linear? Projection { get; }

    internal Sequential? Encoder { get; }

    internal Sequential? Decoder { get; }

    internal Parameter? FatWeight { get; }

    internal Parameter? DecoderWeight { get; }

    internal Parameter FatBias { get; }

    internal Parameter? ReconstructionBias { get; }

    internal Sequential Head { get; }

    /// <summary>W_e [M, fat] (predicted, or the free fat layer transposed) and W_d [M, fat] when reconstructing.</summary>
    internal (Tensor Encoder, Tensor? Decoder) PredictWeights()
    {
        if (Embedding == null) return (FatWeight!.Value.T(), DecoderWeight?.Value);
        Tensor u = Embedding;
        if (Projection != null) u = Projection.Forward(u).Relu();
        return (Encoder!.Forward(u), Decoder?.Forward(u));
    }

    /// <summary>Logits [B, classes], and the reconstruction [B, M] when γ &gt; 0, of a standardised batch.</summary>
    /// <param name="x">Standardised genotypes [B, M].</param>
    internal (Tensor Logits, Tensor? Reconstruction) Forward(Tensor x)
    {
        var (we, wd) = PredictWeights();
        var h1 = (Embedding == null ? Tensor.MatMul(x, FatWeight!, transposeB: true) : Tensor.MatMul(x, we)) + FatBias.Value;
        h1 = h1.Relu();
        var logits = Head.Forward(h1);
        Tensor? rec = wd == null ? null : (Tensor.MatMul(h1, wd, transposeB: true) + ReconstructionBias!.Value).Relu();
        return (logits, rec);
    }

    /// <summary>CE + γ·MSE of a standardised batch, with the batch accuracy as a term.</summary>
    internal LossOutput Loss(Tensor x, ReadOnlySpan<int> labels)
    {
        var (logits, rec) = Forward(x);
        var ce = Losses.CrossEntropy(logits, labels);
        var terms = new Dictionary<string, double> { ["cross_entropy"] = ce.Item(), ["accuracy"] = Accuracy(logits, labels) };
        var total = ce;
        if (rec != null)
        {
            var mse = Losses.Mse(rec, x);
            terms["reconstruction"] = mse.Item();
            total = ce + mse * (float)Options.Gamma;
        }
        return new LossOutput(total, terms);
    }

    internal static double Accuracy(Tensor logits, ReadOnlySpan<int> labels)
    {
        var v = logits.AsReadOnlySpan();
        int c = logits.Shape[1], hits = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = v.Slice(i * c, c);
            int best = 0;
            for (int k = 1; k < c; k++) if (row[k] > row[best]) best = k;
            if (best == labels[i]) hits++;
        }
        return labels.Length == 0 ? 0 : (double)hits / labels.Length;
    }

    private Sequential AuxNet(int inputs, DietNetworkOptions o, Generator init)
    {
        var seq = new Sequential();
        for (int i = 0; i < o.AuxiliaryLayers; i++)
        {
            seq.Add(AuxLinear(i == 0 ? inputs : o.FatWidth, o.FatWidth, init));
            seq.Add(new Tanh());
        }
        return seq;
    }

    /// <summary>Dense layer with U(±scale) weights and zero bias (lasagne's Uniform init, Constant(0) bias).</summary>
    private Linear AuxLinear(int inputs, int outputs, Generator init)
    {
        var l = new Linear(inputs, outputs, init);
        Init.Uniform(l.Weight, init, -Options.AuxiliaryInitScale, Options.AuxiliaryInitScale);
        Init.Zeros(l.Bias!);
        return l;
    }

    /// <summary>lasagne's GlorotUniform for a dense layer: U(±√(6/(in + out))).</summary>
    private static Tensor Glorot(Generator init, int rows, int columns)
    {
        var w = Tensor.Zeros(rows, columns);
        double b = Math.Sqrt(6.0 / (rows + columns));
        Init.Uniform(w, init, -b, b);
        return w;
    }
}
