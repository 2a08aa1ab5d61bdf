using SingleCell.Models.Data;
using SingleCell.Models.Distributions;
using SingleCell.Models.NN;
using SingleCell.Models.Optim;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.DietNetworks;

/// <summary>
/// The PCA baseline on the same folds: genotypes standardised with the train + validation statistics,
/// the top principal components of the train + validation samples (eigenvectors of their Gram matrix: samples ≪ SNPs),
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
        var zt = new float[(long)split.Test.Length * m];
        Standardization.Apply(genotypes, split.Test, mean, inv, zt);
        var (trainX, testX) = Scores(z, fit.Length, zt, split.Test.Length, m, components);
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

    /// <summary>
    /// PCA through the n × n Gram matrix G = Z·Zᵀ of the (already centred) standardised training rows, which
    /// is cheap when samples ≪ SNPs: G = U Λ Uᵀ, training scores U_k Λ_k^½, test scores Z_t·Zᵀ·U_k Λ_k^−½
    /// (the projection on the same loadings V_k = Zᵀ U_k Λ_k^−½). Both products run on the engine's GEMM.
    /// </summary>
    private static (float[] Train, float[] Test) Scores(float[] z, int n, float[] zt, int nt, int m, int k)
    {
        var zz = Tensor.FromArray(z, n, m);
        float[] gram, cross;
        using (Tensor.NoGrad())
        {
            gram = Tensor.MatMul(zz, zz, transposeB: true).ToArray();
            cross = Tensor.MatMul(Tensor.FromArray(zt, nt, m), zz, transposeB: true).ToArray();
        }
        var g = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n, (i, j) => gram[i * n + j]);
        var evd = g.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var order = Enumerable.Range(0, n).OrderByDescending(i => evd.EigenValues[i].Real).Take(k).ToArray();
        var train = new float[n * k];
        var test = new float[nt * k];
        for (int c = 0; c < k; c++)
        {
            int e = order[c];
            double lambda = Math.Max(evd.EigenValues[e].Real, 1e-12);
            for (int i = 0; i < n; i++) train[i * k + c] = (float)(evd.EigenVectors[i, e] * Math.Sqrt(lambda));
            for (int i = 0; i < nt; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += cross[i * n + j] * evd.EigenVectors[j, e];
                test[i * k + c] = (float)(s / Math.Sqrt(lambda));
            }
        }
        return (train, test);
    }
}
