using SingleCell.Models.Data;
using SingleCell.Models.Distributions;
using SingleCell.Models.NN;
using SingleCell.Models.Optim;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.DietNetworks;

/// <summary>
/// The PCA baseline on the same folds: genotypes standardised with the train + validation statistics,
/// the top principal components of the train + validation samples (randomized SVD, <see cref="Pca"/>),
/// and a multinomial logistic regression on the component scores (full-batch Adam with a small L2
/// penalty) fitted to the train + validation samples. Test samples are projected on the same loadings.
/// </summary>
public static class PcaLogisticRegression
{
    /// <summary>Fits on a fold and returns the test class probabilities (test rows × classes).</summary>
    /// <param name="genotypes">Samples × SNPs.</param>
    /// <param name="labels">Each row's class code.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="split">The fold.</param>
    /// <param name="components">Principal components kept.</param>
    /// <param name="l2">L2 penalty on the weights.</param>
    /// <param name="iterations">Optimiser steps.</param>
    /// <param name="seed">Seed of the SVD and the initialisation.</param>
    public static DenseMatrix FitPredict(GenotypeMatrix genotypes, int[] labels, int classes, FoldSplit split, int components = 20,
        double l2 = 1e-3, int iterations = 500, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(genotypes);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(split);
        var fit = split.TrainAndValidation;
        int m = genotypes.Snps;
        components = Math.Min(components, Math.Min(fit.Length - 1, m));
        var (mean, inv) = Standardization.Fit(genotypes, fit);
        var z = new float[(long)fit.Length * m];
        Standardization.Apply(genotypes, fit, mean, inv, z);
        var pca = Pca.Compute(CellMatrix.FromDense(z, fit.Length, m), components, seed: seed);
        var zt = new float[(long)split.Test.Length * m];
        Standardization.Apply(genotypes, split.Test, mean, inv, zt);
        var trainX = Project(z, fit.Length, m, pca);
        var testX = Project(zt, split.Test.Length, m, pca);
        // Scale the scores to unit variance so that one learning rate fits every component.
        var sd = new float[components];
        for (int k = 0; k < components; k++)
        {
            double s = 0;
            for (int i = 0; i < fit.Length; i++) s += (double)trainX[i * components + k] * trainX[i * components + k];
            sd[k] = (float)Math.Max(Math.Sqrt(s / fit.Length), 1e-6);
        }
        for (int i = 0; i < trainX.Length; i++) trainX[i] /= sd[i % components];
        for (int i = 0; i < testX.Length; i++) testX[i] /= sd[i % components];

        var layer = new Linear(components, classes, new Generator(seed));
        var adam = new Adam(layer.Parameters(), learningRate: 0.05);
        var x = Tensor.FromArray(trainX, fit.Length, components);
        var y = fit.Select(r => labels[r]).ToArray();
        for (int it = 0; it < iterations; it++)
        {
            layer.ZeroGrad();
            var loss = Losses.CrossEntropy(layer.Forward(x), y) + (layer.Weight.Value * layer.Weight.Value).Sum() * (float)l2;
            loss.Backward();
            adam.Step();
        }
        using (Tensor.NoGrad())
        {
            var p = layer.Forward(Tensor.FromArray(testX, split.Test.Length, components)).Softmax(1);
            return new DenseMatrix(split.Test.Length, classes, p.ToArray());
        }
    }

    private static float[] Project(float[] z, int rows, int m, PcaResult pca)
    {
        int k = pca.Components;
        var result = new float[rows * k];
        for (int i = 0; i < rows; i++)
            for (int c = 0; c < k; c++)
            {
                double s = 0;
                for (int j = 0; j < m; j++) s += z[(long)i * m + j] * pca.Loadings[(long)c * m + j];
                result[i * k + c] = (float)s;
            }
        return result;
    }
}
