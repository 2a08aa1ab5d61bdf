namespace SingleCell.Models.Data;

public sealed partial class AnnData
{
    /// <summary>The cells <paramref name="rows"/>, in that order: X, every layer and every obs column (var shared; obsm and obsp are not carried).</summary>
    /// <param name="rows">Cell indices.</param>
    /// <exception cref="ArgumentOutOfRangeException">A row is out of range.</exception>
    public AnnData SelectObs(int[] rows)
    {
        var data = this;
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
