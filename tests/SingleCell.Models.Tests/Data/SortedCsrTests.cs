using SingleCell.Models.Data;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Data;

public class SortedCsrTests
{
    [Test]
    public void Unsorted_rows_are_sorted_with_their_values()
    {
        var g = new Generator(8);
        int rows = 50, cols = 70;
        var ptr = new List<int> { 0 }; var idx = new List<int>(); var val = new List<float>();
        var expected = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            var chosen = g.Permutation(cols).Take(g.NextInt(cols / 2)).ToArray(); // random order, no duplicates
            foreach (int c in chosen) { idx.Add(c); float v = (float)g.NextNormal(); val.Add(v); expected[r * cols + c] = v; }
            ptr.Add(idx.Count);
        }
        var m = H5adReader.SortedCsr(rows, cols, ptr.ToArray(), idx.ToArray(), val.ToArray());
        Assert.That(m.ToDense(), Is.EqualTo(expected));
        for (int r = 0; r < rows; r++)
        {
            var ri = m.RowIndices(r).ToArray();
            Assert.That(ri, Is.Ordered.Ascending, $"row {r}");
        }
    }
}
