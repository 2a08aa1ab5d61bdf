using SingleCell.Models.Data;

namespace SingleCell.Models.Selection.Study;

/// <summary>Row subsets of an <see cref="AnnData"/>: X, layers and obs columns (var kept; obsm/obsp dropped).</summary>
public static class AnnDataRows
{
    /// <summary>The cells <paramref name="rows"/> of <paramref name="data"/>, in that order.</summary>
    /// <param name="data">The data.</param>
    /// <param name="rows">Cell indices.</param>
    /// <exception cref="ArgumentOutOfRangeException">A row is out of range.</exception>
    public static AnnData Select(AnnData data, int[] rows)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rows);
        foreach (int r in rows) if ((uint)r >= (uint)data.NObs) throw new ArgumentOutOfRangeException(nameof(rows), $"Row {r} is outside 0..{data.NObs - 1}.");
        var obs = new DataFrame(rows.Select(r => data.ObsNames[r]).ToArray(), data.Obs.IndexName);
        foreach (var c in data.Obs.Columns) obs.Add(Column(c, rows));
        var result = new AnnData(data.X?.SelectRows(rows), obs, data.Var);
        foreach (var (k, v) in data.Layers) result.Layers[k] = v.SelectRows(rows);
        return result;
    }

    private static DataColumn Column(DataColumn c, int[] rows) => c switch
    {
        CategoricalColumn cat => new CategoricalColumn(c.Name, cat.Categories, rows.Select(r => cat.Codes[r]).ToArray(), cat.Ordered),
        NumericColumn num => new NumericColumn(c.Name, rows.Select(r => num.Values[r]).ToArray()) { IsSingle = num.IsSingle },
        IntegerColumn i => new IntegerColumn(c.Name, rows.Select(r => i.Values[r]).ToArray()),
        BooleanColumn b => new BooleanColumn(c.Name, rows.Select(r => b.Values[r]).ToArray()),
        _ => new StringColumn(c.Name, rows.Select(r => (string?)c.GetString(r)).ToArray()),
    };
}
