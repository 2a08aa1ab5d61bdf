using SingleCell.Models.Evaluation;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Evaluation;

public class LinearSumAssignmentTests
{
    private static double BruteForceMinimum(double[,] cost)
    {
        int rows = cost.GetLength(0), columns = cost.GetLength(1);
        bool transpose = rows > columns;
        int n = Math.Min(rows, columns), m = Math.Max(rows, columns);
        double best = double.PositiveInfinity;
        var chosen = new int[n];
        var used = new bool[m];
        void Recurse(int i, double acc)
        {
            if (i == n) { best = Math.Min(best, acc); return; }
            for (int j = 0; j < m; j++)
            {
                if (used[j]) continue;
                used[j] = true;
                Recurse(i + 1, acc + (transpose ? cost[j, i] : cost[i, j]));
                used[j] = false;
            }
        }
        Recurse(0, 0);
        return best;
    }

    private static double[,] RandomMatrix(Generator g, int rows, int columns, bool integers)
    {
        var c = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                c[i, j] = integers ? g.NextInt(5) : g.NextNormal();
        return c;
    }

    private static void CheckValid(Assignment a, int rows, int columns)
    {
        Assert.That(a.Count, Is.EqualTo(Math.Min(rows, columns)));
        Assert.That(a.RowIndices, Is.Ordered.Ascending);
        Assert.That(a.RowIndices.Distinct().Count(), Is.EqualTo(a.Count));
        Assert.That(a.ColumnIndices.Distinct().Count(), Is.EqualTo(a.Count));
        Assert.That(a.RowIndices.All(r => r >= 0 && r < rows) && a.ColumnIndices.All(c => c >= 0 && c < columns));
    }

    [TestCase(1, 1)]
    [TestCase(2, 2)]
    [TestCase(3, 3)]
    [TestCase(5, 5)]
    [TestCase(7, 7)]
    [TestCase(3, 6)]
    [TestCase(6, 3)]
    [TestCase(1, 5)]
    [TestCase(5, 1)]
    [TestCase(4, 7)]
    [TestCase(7, 4)]
    public void Matches_brute_force_on_random_matrices(int rows, int columns)
    {
        var g = new Generator(rows * 100 + columns);
        for (int trial = 0; trial < 25; trial++)
        {
            // Small integers produce many ties; normals do not.
            var cost = RandomMatrix(g, rows, columns, integers: trial % 2 == 0);
            var a = LinearSumAssignment.Solve(cost);
            CheckValid(a, rows, columns);
            double recomputed = 0;
            for (int k = 0; k < a.Count; k++) recomputed += cost[a.RowIndices[k], a.ColumnIndices[k]];
            Assert.That(a.TotalCost, Is.EqualTo(recomputed).Within(1e-12));
            Assert.That(a.TotalCost, Is.EqualTo(BruteForceMinimum(cost)).Within(1e-9), $"trial {trial}");
        }
    }

    [Test]
    public void Maximize_matches_brute_force_on_negated_costs()
    {
        var g = new Generator(7);
        for (int trial = 0; trial < 20; trial++)
        {
            var cost = RandomMatrix(g, 4, 6, integers: false);
            var neg = new double[4, 6];
            for (int i = 0; i < 4; i++) for (int j = 0; j < 6; j++) neg[i, j] = -cost[i, j];
            var a = LinearSumAssignment.Solve(cost, maximize: true);
            Assert.That(a.TotalCost, Is.EqualTo(-BruteForceMinimum(neg)).Within(1e-9));
        }
    }

    [Test]
    public void Textbook_instance_scipy_docs()
    {
        // scipy.optimize.linear_sum_assignment docstring: rows [0 1 2] → cols [1 0 2], cost 5.
        var cost = new double[,] { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } };
        var a = LinearSumAssignment.Solve(cost);
        Assert.That(a.RowIndices, Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(a.ColumnIndices, Is.EqualTo(new[] { 1, 0, 2 }));
        Assert.That(a.TotalCost, Is.EqualTo(5));
    }

    [Test]
    public void Textbook_instance_workers_and_jobs()
    {
        // Classic 4×4 example (Kuhn's Hungarian method walk-throughs): optimum 140.
        var cost = new double[,]
        {
            { 82, 83, 69, 92 },
            { 77, 37, 49, 92 },
            { 11, 69, 5, 86 },
            { 8, 9, 98, 23 },
        };
        var a = LinearSumAssignment.Solve(cost);
        Assert.That(a.TotalCost, Is.EqualTo(140));
        Assert.That(a.ColumnIndices, Is.EqualTo(new[] { 2, 1, 0, 3 }));
    }

    [Test]
    public void Rectangular_tall_matrix_reports_original_rows()
    {
        var cost = new double[,] { { 10, 10 }, { 1, 10 }, { 10, 10 }, { 10, 2 } };
        var a = LinearSumAssignment.Solve(cost);
        Assert.That(a.RowIndices, Is.EqualTo(new[] { 1, 3 }));
        Assert.That(a.ColumnIndices, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(a.TotalCost, Is.EqualTo(3));
    }

    [Test]
    public void Forbidden_pairs_are_avoided_and_infeasible_problems_throw()
    {
        double inf = double.PositiveInfinity;
        var cost = new double[,] { { inf, 1 }, { 2, inf } };
        var a = LinearSumAssignment.Solve(cost);
        Assert.That(a.ColumnIndices, Is.EqualTo(new[] { 1, 0 }));
        Assert.That(a.TotalCost, Is.EqualTo(3));
        Assert.Throws<InvalidOperationException>(() => LinearSumAssignment.Solve(new double[,] { { inf, 1 }, { inf, 2 } }));
        Assert.Throws<ArgumentException>(() => LinearSumAssignment.Solve(new double[,] { { double.NaN } }));
    }

    [Test]
    public void Empty_matrix_gives_empty_assignment()
    {
        Assert.That(LinearSumAssignment.Solve(new double[0, 3]).Count, Is.EqualTo(0));
    }

    [Test]
    public void Deterministic_on_repeated_calls()
    {
        var cost = RandomMatrix(new Generator(3), 30, 40, integers: true);
        var a = LinearSumAssignment.Solve(cost);
        var b = LinearSumAssignment.Solve(cost);
        Assert.That(b.ColumnIndices, Is.EqualTo(a.ColumnIndices));
    }
}
