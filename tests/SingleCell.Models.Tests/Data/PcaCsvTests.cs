using MathNet.Numerics.LinearAlgebra;
using SingleCell.Models.Data;
using SingleCell.Models.Data.Formats;

namespace SingleCell.Models.Tests.Data;

public class PcaCsvTests
{
    [Test]
    public void Scale_matches_hand_values_and_clips()
    {
        // Column 0: (0, 2, 4) mean 2 sd 2 → (-1, 0, 1). Column 1: (0, 0, 30) mean 10 sd √300 → clip 1.
        var z = Pca.Scale(CellMatrix.FromDense([0, 0, 2, 0, 4, 30], 3, 2), maxValue: 1);
        Assert.That(z, Is.EqualTo(new[] { -1f, -10 / MathF.Sqrt(300), 0, -10 / MathF.Sqrt(300), 1, 1 }).Within(1e-6f));
    }

    [Test]
    public void Randomized_pca_matches_exact_svd_eigenvalues()
    {
        var rng = new Random(5);
        int n = 80, g = 30;
        var dense = new float[n * g];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < g; j++)
                dense[i * g + j] = rng.NextDouble() < 0.6 ? 0 : (float)(rng.Next(1, 5) * (1 + (j % 3) * (i % 2)));
        var m = CellMatrix.FromDense(dense, n, g);
        var pca = Pca.Compute(m, 5, seed: 1);
        var a = Matrix<double>.Build.Dense(n, g, (i, j) => dense[i * g + j]);
        var mu = a.ColumnSums() / n;
        for (int i = 0; i < n; i++) a.SetRow(i, a.Row(i) - mu);
        var s = a.Svd(false).S;
        for (int c = 0; c < 5; c++) Assert.That(pca.Variance[c], Is.EqualTo(s[c] * s[c] / (n - 1)).Within(1e-6 * s[0] * s[0]));
    }

    [Test]
    public void Csv_round_trip_and_transposed_read()
    {
        string path = Path.Combine(Path.GetTempPath(), $"m_{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, "gene,c1,c2\nA,1,0\nB,0,2.5\nC,3,0\n");
            var t = DelimitedMatrix.Read(path, genesByCells: true);
            Assert.That(t.CellNames, Is.EqualTo(new[] { "c1", "c2" }));
            Assert.That(t.GeneNames, Is.EqualTo(new[] { "A", "B", "C" }));
            Assert.That(t.Matrix.ToDense(), Is.EqualTo(new float[] { 1, 0, 3, 0, 2.5f, 0 }));
            DelimitedMatrix.Write(path, t, '\t');
            var back = DelimitedMatrix.Read(path);
            Assert.That(back.Matrix.ToDense(), Is.EqualTo(t.Matrix.ToDense()));
            Assert.That(back.GeneNames, Is.EqualTo(t.GeneNames));
        }
        finally { File.Delete(path); }
    }
}
