using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using SingleCell.Models.Data;
using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Svae;

/// <summary>
/// The sparse-mechanism-shift simulation benchmark of the sVAE paper (spec §1.8,
/// <c>svae/simulation.py::sparse_shift</c>): each intervention shifts the mean of 1–3 latents
/// by about ±5, latents pass through a random injective leaky-ReLU network, and counts are Poisson.
/// </summary>
/// <remarks>
/// <para>Steps, all drawn from one <see cref="Generator"/> seeded with <see cref="SparseShiftSimulationOptions.Seed"/>:</para>
/// <list type="number">
/// <item>targets: for each intervention c, t ~ U{MinTargets…MaxTargets} indices of 0…p−1, with
/// replacement by default (a duplicate leaves fewer than t targets, as numpy's buffered
/// <c>targets[c, idx] += 1</c>);</item>
/// <item>signs ±1 (½ each) and magnitudes N(e, sd) for every (c, i); prior_mean = targets ⊙ magnitude ⊙ sign (K × p);</item>
/// <item>z ~ N(prior_mean[c], I_p) for the cells of each intervention, in blocks by intervention;</item>
/// <item>decoder weights W1 (p×h), W2, W3 (h×h), W4 (h×G): standard normal, orthonormalised by QR
/// (<c>qr(Wᵀ)[0]ᵀ</c>: orthonormal rows), scaled by √(2/(1+slope²))·√(2/(fan_in+fan_out));</item>
/// <item>logits = lrelu(lrelu(lrelu(z W1) W2) W3) W4, divided by their one global standard deviation
/// (population, over the whole N × G matrix);</item>
/// <item>e = exp(logits − max), and freq = e / e.sum(axis=0) (each gene column sums to 1 over cells)
/// or, in the paper's variant, a per-cell softmax;</item>
/// <item>x ~ Poisson(CountScale · freq), exactly (<c>Sampling.NextPoisson</c>: PTRS above rate 10);</item>
/// <item>a random permutation of the cells (labels, latents, frequencies and counts together).</item>
/// </list>
/// <para>The random streams differ from NumPy's, so the figures match the Python code in
/// distribution, not draw for draw.</para>
/// </remarks>
public sealed class SparseShiftSimulation
{
    /// <summary>Name of the per-cell intervention column in <see cref="Data"/>'s <c>obs</c>.</summary>
    public const string LabelKey = "chem";

    /// <summary>Key of the ground-truth latents in <c>obsm</c>.</summary>
    public const string LatentKey = "groundtruth_latent";

    /// <summary>Key of the K × p prior means in <c>uns</c>.</summary>
    public const string PriorMeanKey = "prior_mean";

    private SparseShiftSimulation(SparseShiftSimulationOptions options) => Options = options;

    /// <summary>The settings used.</summary>
    public SparseShiftSimulationOptions Options { get; }

    /// <summary>
    /// The data as the code returns it: X = counts (CSR float32), <c>obs["chem"]</c> categorical
    /// (categories "0" … "K−1", so codes equal labels), <c>obsm["groundtruth_latent"]</c> (N × p) and
    /// <c>uns["prior_mean"]</c> (K × p), the last two as float32 <see cref="DenseMatrix"/>.
    /// </summary>
    public AnnData Data { get; private set; } = null!;

    /// <summary>Number of cells N = K × cells per intervention.</summary>
    public int CellCount => Labels.Length;

    /// <summary>Counts, row-major N × G.</summary>
    public float[] Counts { get; private set; } = [];

    /// <summary>Intervention of each cell, 0 … K−1.</summary>
    public int[] Labels { get; private set; } = [];

    /// <summary>Ground-truth latents z, N × p.</summary>
    public double[,] Latents { get; private set; } = new double[0, 0];

    /// <summary>Intervention prior means, K × p (zero where not targeted).</summary>
    public double[,] PriorMean { get; private set; } = new double[0, 0];

    /// <summary>Which latents each intervention targets, K × p.</summary>
    public bool[,] Targets { get; private set; } = new bool[0, 0];

    /// <summary>Expected expression frequencies, N × G: the Poisson means divided by <see cref="SparseShiftSimulationOptions.CountScale"/>.</summary>
    public double[,] Frequencies { get; private set; } = new double[0, 0];

    /// <summary>The decoder weights W1 … W4 (after orthonormalisation and scaling).</summary>
    public IReadOnlyList<double[,]> DecoderWeights { get; private set; } = [];

    /// <summary>Interventions used for training, 0 … FirstHeldOutIntervention−1.</summary>
    public int[] TrainInterventions { get; private set; } = [];

    /// <summary>Held-out interventions, FirstHeldOutIntervention … K−1.</summary>
    public int[] HeldOutInterventions { get; private set; } = [];

    /// <summary>Rows (cells) of training interventions, increasing.</summary>
    public int[] TrainCells { get; private set; } = [];

    /// <summary>Rows (cells) of held-out interventions, increasing.</summary>
    public int[] HeldOutCells { get; private set; } = [];

    /// <summary>Runs the simulation.</summary>
    /// <param name="options">Settings; null for the code's defaults (K = 100 × 250 cells, p = 15, G = 100, seed 1024).</param>
    /// <returns>The simulated data set.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public static SparseShiftSimulation Generate(SparseShiftSimulationOptions? options = null)
    {
        options ??= new SparseShiftSimulationOptions();
        options.Validate();
        var sim = new SparseShiftSimulation(options);
        sim.Run();
        return sim;
    }

    private void Run()
    {
        var o = Options;
        int k = o.Interventions, p = o.LatentDimensions, genes = o.Genes, h = o.HiddenUnits;
        int perIntervention = o.CellsPerIntervention, n = k * perIntervention;
        var g = new Generator(o.Seed);

        // 1. Targets.
        var targets = new bool[k, p];
        var pool = new int[p];
        for (int c = 0; c < k; c++)
        {
            int t = o.MinTargets + g.NextInt(o.MaxTargets - o.MinTargets + 1);
            if (o.TargetsWithReplacement)
            {
                for (int s = 0; s < t; s++) targets[c, g.NextInt(p)] = true;
            }
            else
            {
                for (int i = 0; i < p; i++) pool[i] = i;
                for (int s = 0; s < t; s++)
                {
                    int j = s + g.NextInt(p - s);
                    (pool[s], pool[j]) = (pool[j], pool[s]);
                    targets[c, pool[s]] = true;
                }
            }
        }

        // 2. Signs and magnitudes for every (c, i), then the prior means.
        var sign = new double[k, p];
        for (int c = 0; c < k; c++) for (int i = 0; i < p; i++) sign[c, i] = g.NextDouble() > 0.5 ? 1.0 : -1.0;
        var priorMean = new double[k, p];
        for (int c = 0; c < k; c++)
            for (int i = 0; i < p; i++)
            {
                double magnitude = o.EffectSize + o.EffectStandardDeviation * g.NextNormal();
                priorMean[c, i] = targets[c, i] ? magnitude * sign[c, i] : 0.0;
            }

        // 3. Latents, in blocks by intervention.
        var labels = new int[n];
        var z = new double[n, p];
        for (int c = 0, row = 0; c < k; c++)
            for (int r = 0; r < perIntervention; r++, row++)
            {
                labels[row] = c;
                for (int i = 0; i < p; i++) z[row, i] = priorMean[c, i] + g.NextNormal();
            }

        // 4. Decoder.
        double gain = Math.Sqrt(2.0 / (1.0 + o.NegativeSlope * o.NegativeSlope));
        var w1 = Orthonormal(g, p, h, gain * Math.Sqrt(2.0 / (p + h)));
        var w2 = Orthonormal(g, h, h, gain * Math.Sqrt(2.0 / (2 * h)));
        var w3 = Orthonormal(g, h, h, gain * Math.Sqrt(2.0 / (2 * h)));
        var w4 = Orthonormal(g, h, genes, gain * Math.Sqrt(2.0 / (genes + h)));
        var h1 = LeakyRelu(MatMul(z, w1), o.NegativeSlope);
        var h2 = LeakyRelu(MatMul(h1, w2), o.NegativeSlope);
        var h3 = LeakyRelu(MatMul(h2, w3), o.NegativeSlope);
        var logits = MatMul(h3, w4);

        // 5–6. Global scaling and normalisation.
        var freq = Normalize(logits, o.Normalization);

        // 7. Poisson counts, cell by cell in the unshuffled order.
        var counts = new float[(long)n * genes];
        for (int i = 0, idx = 0; i < n; i++)
            for (int j = 0; j < genes; j++, idx++)
                counts[idx] = (float)g.NextPoisson(o.CountScale * freq[i, j]);

        // 8. Shuffle the cells.
        int[] order = o.ShuffleCells ? g.Permutation(n) : Enumerable.Range(0, n).ToArray();
        Labels = new int[n];
        Latents = new double[n, p];
        Frequencies = new double[n, genes];
        Counts = new float[counts.Length];
        for (int i = 0; i < n; i++)
        {
            int src = order[i];
            Labels[i] = labels[src];
            for (int j = 0; j < p; j++) Latents[i, j] = z[src, j];
            for (int j = 0; j < genes; j++) Frequencies[i, j] = freq[src, j];
            Array.Copy(counts, (long)src * genes, Counts, (long)i * genes, genes);
        }
        PriorMean = priorMean;
        Targets = targets;
        DecoderWeights = [w1, w2, w3, w4];
        TrainInterventions = Enumerable.Range(0, o.FirstHeldOutIntervention).ToArray();
        HeldOutInterventions = Enumerable.Range(o.FirstHeldOutIntervention, k - o.FirstHeldOutIntervention).ToArray();
        var train = new List<int>();
        var heldOut = new List<int>();
        for (int i = 0; i < n; i++) (Labels[i] < o.FirstHeldOutIntervention ? train : heldOut).Add(i);
        TrainCells = train.ToArray();
        HeldOutCells = heldOut.ToArray();
        Data = BuildAnnData(n, genes, k, p);
    }

    /// <summary>A rows × columns standard-normal matrix, orthonormalised as the code does (orthonormal rows when rows ≤ columns), times <paramref name="scale"/>.</summary>
    private static double[,] Orthonormal(Generator g, int rows, int columns, double scale)
    {
        var w = Matrix<double>.Build.Dense(rows, columns);
        for (int i = 0; i < rows; i++) for (int j = 0; j < columns; j++) w[i, j] = g.NextNormal();
        Matrix<double> q = rows <= columns
            ? w.Transpose().QR(QRMethod.Thin).Q.Transpose()   // np.linalg.qr(W.T)[0].T
            : w.QR(QRMethod.Thin).Q;                          // orthonormal columns when rows > columns
        var result = new double[rows, columns];
        for (int i = 0; i < rows; i++) for (int j = 0; j < columns; j++) result[i, j] = q[i, j] * scale;
        return result;
    }

    private static double[,] MatMul(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), inner = a.GetLength(1), m = b.GetLength(1);
        var c = new double[n, m];
        var row = new double[m];
        for (int i = 0; i < n; i++)
        {
            Array.Clear(row);
            for (int t = 0; t < inner; t++)
            {
                double av = a[i, t];
                for (int j = 0; j < m; j++) row[j] += av * b[t, j];
            }
            for (int j = 0; j < m; j++) c[i, j] = row[j];
        }
        return c;
    }

    private static double[,] LeakyRelu(double[,] x, double slope)
    {
        int n = x.GetLength(0), m = x.GetLength(1);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                x[i, j] = Math.Max(slope * x[i, j], x[i, j]);
        return x;
    }

    /// <summary>logits / std(logits) (global, population), then exp(· − max) normalised per column or per row.</summary>
    private static double[,] Normalize(double[,] logits, SimulationNormalization normalization)
    {
        int n = logits.GetLength(0), m = logits.GetLength(1);
        double count = (double)n * m, mean = 0;
        foreach (double v in logits) mean += v;
        mean /= count;
        double ss = 0;
        foreach (double v in logits) ss += (v - mean) * (v - mean);
        double std = Math.Sqrt(ss / count);
        if (!(std > 0)) throw new InvalidOperationException("The simulated logits are constant; the decoder is degenerate.");
        var e = new double[n, m];
        if (normalization == SimulationNormalization.ColumnNormalization)
        {
            double max = double.NegativeInfinity;
            foreach (double v in logits) max = Math.Max(max, v / std);
            var columnSum = new double[m];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < m; j++)
                {
                    e[i, j] = Math.Exp(logits[i, j] / std - max);
                    columnSum[j] += e[i, j];
                }
            for (int i = 0; i < n; i++)
                for (int j = 0; j < m; j++)
                    e[i, j] /= columnSum[j];
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                double max = double.NegativeInfinity;
                for (int j = 0; j < m; j++) max = Math.Max(max, logits[i, j] / std);
                double sum = 0;
                for (int j = 0; j < m; j++) { e[i, j] = Math.Exp(logits[i, j] / std - max); sum += e[i, j]; }
                for (int j = 0; j < m; j++) e[i, j] /= sum;
            }
        }
        return e;
    }

    private AnnData BuildAnnData(int n, int genes, int k, int p)
    {
        var x = CellMatrix.FromDense(Counts, n, genes);
        var obsNames = new string[n];
        for (int i = 0; i < n; i++) obsNames[i] = i.ToString(CultureInfo.InvariantCulture);
        var varNames = new string[genes];
        for (int j = 0; j < genes; j++) varNames[j] = j.ToString(CultureInfo.InvariantCulture);
        var data = new AnnData(x, obsNames, varNames);
        var categories = new string[k];
        for (int c = 0; c < k; c++) categories[c] = c.ToString(CultureInfo.InvariantCulture);
        data.Obs.Add(new CategoricalColumn(LabelKey, categories, (int[])Labels.Clone()));
        data.Obsm[LatentKey] = new DenseMatrix(n, p, Evaluation.RowMajor.ToFloats(Latents));
        data.Uns[PriorMeanKey] = new DenseMatrix(k, p, Evaluation.RowMajor.ToFloats(PriorMean));
        return data;
    }
}
