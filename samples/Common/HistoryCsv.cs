using System.Globalization;
using System.Text;
using SingleCell.Models.Training;

namespace SingleCell.Models.Samples;

/// <summary>Writes a <see cref="TrainingHistory"/> as CSV: one row per epoch, one column per series.</summary>
internal static class HistoryCsv
{
    public static void Write(TrainingHistory history, string path)
    {
        var keys = history.Keys.Order(StringComparer.Ordinal).ToArray();
        int rows = keys.Length == 0 ? 0 : keys.Max(k => history.Series(k).Count);
        var sb = new StringBuilder("epoch");
        foreach (var k in keys) sb.Append(',').Append(k);
        sb.Append('\n');
        for (int e = 0; e < rows; e++)
        {
            sb.Append(e + 1);
            foreach (var k in keys)
            {
                var s = history.Series(k);
                sb.Append(',');
                if (e < s.Count && double.IsFinite(s[e])) sb.Append(s[e].ToString("R", CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        File.WriteAllText(path, sb.ToString());
    }
}
