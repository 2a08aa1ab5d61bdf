using SingleCell.Models.Data;
using SingleCell.Models.Modeling;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.DietNetworks;

public sealed partial class DietNetworkModel
{
    /// <inheritdoc />
    public DenseMatrix PredictProbabilities(AnnData data)
    {
        var g = Align(data);
        return PredictProbabilities(g, Enumerable.Range(0, g.Samples).ToArray());
    }

    /// <summary>Class probabilities (rows × classes) of rows <paramref name="rows"/> of a byte matrix in model SNP order.</summary>
    /// <param name="genotypes">Samples × SNPs, columns in <see cref="Snps"/> order.</param>
    /// <param name="rows">The rows to classify.</param>
    /// <exception cref="ArgumentException">The matrix has another number of SNPs.</exception>
    public DenseMatrix PredictProbabilities(GenotypeMatrix genotypes, int[] rows)
    {
        ArgumentNullException.ThrowIfNull(genotypes);
        ArgumentNullException.ThrowIfNull(rows);
        if (genotypes.Snps != Schema.GeneCount) throw new ArgumentException($"{Name}: the matrix has {genotypes.Snps} SNPs; the model has {Schema.GeneCount}.", nameof(genotypes));
        int c = Classes.Count;
        var result = new float[(long)rows.Length * c];
        Query(() =>
        {
            // Test batches of 138 as the authors'; the predicted weights are recomputed per batch (cheap next to the fat GEMM).
            for (int start = 0; start < rows.Length; start += 138)
            {
                int len = Math.Min(138, rows.Length - start);
                var x = DietTrainingPlan.StandardizedBatch(Module, genotypes, rows.AsSpan(start, len));
                Module.Forward(x).Logits.Softmax(1).AsReadOnlySpan().CopyTo(result.AsSpan(start * c, len * c));
            }
            return 0;
        });
        return new DenseMatrix(rows.Length, c, result);
    }

    /// <summary>The most probable class of each sample.</summary>
    /// <param name="data">The samples.</param>
    /// <exception cref="DataSchemaException">The data does not fit the schema.</exception>
    public string[] PredictPopulations(AnnData data) => ArgMax(PredictProbabilities(data)).Select(k => Classes[k]).ToArray();

    /// <summary>Test rows of the fold the model was set up on: accuracy, error and mean cross-entropy.</summary>
    /// <exception cref="InvalidOperationException">The model was loaded without data.</exception>
    public IReadOnlyDictionary<string, double> EvaluateTest()
    {
        if (_genotypes == null || _labels == null || _split == null) throw new InvalidOperationException($"{Name}: loaded without data; use Evaluate(data).");
        return Metrics(PredictProbabilities(_genotypes, _split.Test), _split.Test.Select(r => _labels[r]).ToArray());
    }

    /// <summary>Accuracy, error and mean cross-entropy on <paramref name="data"/>, whose obs column <see cref="DietNetworkSetup.LabelKey"/> holds known classes.</summary>
    /// <param name="data">Labelled samples.</param>
    /// <exception cref="DataSchemaException">The data does not fit the schema, lacks the label column, or has a class the model does not know.</exception>
    public override IReadOnlyDictionary<string, double> Evaluate(AnnData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var col = data.Obs.Find(Setup.LabelKey) ?? throw new DataSchemaException($"obs has no label column '{Setup.LabelKey}'.");
        var labels = new int[data.NObs];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = Classes.ToList().IndexOf(col.GetString(i));
            if (labels[i] < 0) throw new DataSchemaException($"Sample '{data.ObsNames[i]}' has {Setup.LabelKey} '{col.GetString(i)}', which is not among the model's {Classes.Count} classes.");
        }
        return Metrics(PredictProbabilities(data), labels);
    }

    /// <summary>The SNP embedding the auxiliary network reads (SNPs × columns, column-normalised); null for the basic model.</summary>
    public DenseMatrix? SnpEmbedding() => Module.Embedding is { } e ? new DenseMatrix(e.Shape[0], e.Shape[1], e.ToArray()) : null;

    /// <summary>The fat layer's weights W_e (SNPs × fat units): predicted by the auxiliary network, or the free weights of the basic model.</summary>
    public DenseMatrix PredictedWeights() => Query(() =>
    {
        var w = Module.PredictWeights().Encoder;
        return new DenseMatrix(w.Shape[0], w.Shape[1], w.ToArray());
    });

    private GenotypeMatrix Align(AnnData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return GenotypeMatrix.FromCellMatrix(Schema.Align(data).Matrix);
    }

    private static int[] ArgMax(DenseMatrix p)
    {
        var result = new int[p.Rows];
        for (int i = 0; i < p.Rows; i++)
        {
            var row = p.Row(i);
            for (int k = 1; k < row.Length; k++) if (row[k] > row[result[i]]) result[i] = k;
        }
        return result;
    }

    /// <summary>Accuracy, error (%) and mean cross-entropy of probabilities against labels.</summary>
    internal static Dictionary<string, double> Metrics(DenseMatrix probabilities, int[] labels)
    {
        var pred = ArgMax(probabilities);
        double hits = 0, ce = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (pred[i] == labels[i]) hits++;
            ce -= Math.Log(Math.Max(probabilities[i, labels[i]], 1e-12f));
        }
        double acc = labels.Length == 0 ? 0 : hits / labels.Length;
        return new Dictionary<string, double> { ["accuracy"] = acc, ["error_percent"] = 100 * (1 - acc), ["cross_entropy"] = ce / Math.Max(1, labels.Length) };
    }

    /// <summary>The predicted class index (into <see cref="Classes"/>) of each test row of the fold the model was set up on; empty when loaded without data.</summary>
    public int[] PredictTestClasses() => _genotypes == null || _split == null ? [] : ArgMax(PredictProbabilities(_genotypes, _split.Test));
}
