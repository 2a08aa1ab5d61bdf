using SingleCell.Models.Evaluation;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Evaluation;

public class GraphMetricsTests
{
    [Test]
    public void Scores_on_a_hand_made_graph()
    {
        var truth = new bool[,] { { true, false, true }, { false, true, false } };
        var predicted = new bool[,] { { true, true, false }, { false, true, false } };
        // TP = 2 ((0,0), (1,1)), FP = 1 ((0,1)), FN = 1 ((0,2)).
        var s = GraphMetrics.Score(predicted, truth);
        Assert.That((s.TruePositives, s.FalsePositives, s.FalseNegatives), Is.EqualTo((2, 1, 1)));
        Assert.That(s.Precision, Is.EqualTo(2.0 / 3));
        Assert.That(s.Recall, Is.EqualTo(2.0 / 3));
        Assert.That(s.F1, Is.EqualTo(2.0 / 3).Within(1e-15));
    }

    [Test]
    public void Empty_prediction_scores_zero_like_sklearn()
    {
        var truth = new bool[,] { { true, false } };
        var s = GraphMetrics.Score(new bool[1, 2], truth);
        Assert.That((s.Precision, s.Recall, s.F1), Is.EqualTo((0.0, 0.0, 0.0)));
    }

    [Test]
    public void Adjacency_helpers()
    {
        var pi = new double[,] { { 0.9, 0.2, 0.51 }, { 0.5, 0.7, 0.1 } }; // K = 2, p = 3
        var a = GraphMetrics.AdjacencyFromProbabilities(pi);
        Assert.That(a, Is.EqualTo(new bool[,] { { true, false }, { false, true }, { true, false } }));
        var mu = new double[,] { { 0.1, -3, 2, 0.5 }, { 1, 1, -0.2, 0.3 } }; // K = 2, p = 4; tie in row 1 → higher index
        var top = GraphMetrics.AdjacencyFromTopMeans(mu);
        Assert.That(top, Is.EqualTo(new bool[,] { { false, true }, { true, true }, { true, false }, { false, false } }));
        var b = GraphMetrics.TrueAdjacency(new double[,] { { 0, -5.1 }, { 4.9, 0 } });
        Assert.That(b, Is.EqualTo(new bool[,] { { false, true }, { true, false } }));
    }

    [Test]
    public void Alignment_uses_signed_correlation_and_recovers_a_permutation()
    {
        var g = new Generator(9);
        int n = 400, p = 3, k = 4;
        var z = new double[n, p];
        for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) z[i, j] = g.NextNormal();
        int[] perm = [2, 0, 1]; // estimated dim e holds true dim perm[e]
        var zh = new double[n, p];
        for (int i = 0; i < n; i++) for (int e = 0; e < p; e++) zh[i, e] = z[i, perm[e]] + 0.1 * g.NextNormal();
        // True graph K × p, and the learned graph expressed in the estimated latents' order.
        var prior = new double[,] { { 5, 0, 0 }, { 0, -5, 0 }, { 0, 0, 5 }, { 5, 5, 0 } };
        var truth = GraphMetrics.TrueAdjacency(prior);
        var learned = new bool[p, k];
        for (int e = 0; e < p; e++) for (int c = 0; c < k; c++) learned[e, c] = truth[perm[e], c];
        var s = GraphMetrics.Score(learned, zh, z, prior);
        Assert.That(s.F1, Is.EqualTo(1));
        for (int j = 0; j < p; j++) Assert.That(perm[s.Permutation[j]], Is.EqualTo(j));

        // Signed: a negated estimated latent is anti-aligned, so the signed matching prefers another.
        var zNeg = (double[,])zh.Clone();
        for (int i = 0; i < n; i++) zNeg[i, 0] = -zNeg[i, 0];
        var s2 = GraphMetrics.Score(learned, zNeg, z, prior);
        Assert.That(s2.F1, Is.LessThan(1));
        Assert.That(LatentMetrics.Mcc(z, zNeg), Is.GreaterThan(0.99)); // MCC, unsigned, is unaffected
    }
}
