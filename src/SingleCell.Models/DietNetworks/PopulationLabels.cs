using SingleCell.Models.Data;

namespace SingleCell.Models.DietNetworks;

/// <summary>Layouts of population label files.</summary>
public enum LabelFormat
{
    /// <summary>HapMap's <c>relationships_w_pops_121708.txt</c>: header, whitespace-separated, individual id in column 2, population in column 7.</summary>
    HapMap,

    /// <summary>A 1000 Genomes panel (<c>sample pop super_pop [gender]</c>): header, tab- or space-separated.</summary>
    Panel,
}

/// <summary>The outcome of joining labels to samples: how many were labelled and which samples had no label.</summary>
/// <param name="Key">The obs column written.</param>
/// <param name="Labelled">Samples that received a label.</param>
/// <param name="Unlabelled">Sample names without a label in the file (their obs value is missing).</param>
public sealed record LabelJoin(string Key, int Labelled, IReadOnlyList<string> Unlabelled);

/// <summary>Reads population labels and joins them to genotype samples by sample id.</summary>
public static class PopulationLabels
{
    /// <summary>Reads sample id → label.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Its layout.</param>
    /// <param name="superPopulation">For a panel, read <c>super_pop</c> instead of <c>pop</c>.</param>
    /// <exception cref="FormatException">A row is too short or an id repeats with another label; the message names the line.</exception>
    public static Dictionary<string, string> Read(string path, LabelFormat format, bool superPopulation = false)
    {
        int key = format == LabelFormat.HapMap ? 1 : 0;
        int value = format == LabelFormat.HapMap ? 6 : superPopulation ? 2 : 1;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = Graphs.TextFile.Open(path);
        int lineNo = 0;
        for (string? line; (line = reader.ReadLine()) != null;)
        {
            lineNo++;
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 0) continue;
            if (lineNo == 1 && (f[0] is "FID" or "sample" || f.Length > value && f[value] is "population" or "pop" or "super_pop")) continue;
            if (f.Length <= value)
                throw new FormatException($"'{path}' line {lineNo}: {f.Length} fields; the {format} layout needs at least {value + 1} (label in column {value + 1}).");
            if (result.TryGetValue(f[key], out var old) && old != f[value])
                throw new FormatException($"'{path}' line {lineNo}: sample '{f[key]}' is labelled both '{old}' and '{f[value]}'.");
            result[f[key]] = f[value];
        }
        return result;
    }

    /// <summary>
    /// Writes each sample's label into obs column <paramref name="key"/> (categorical, categories sorted
    /// ordinally as the authors' one-hot is), matching obs names; samples without a label are left
    /// missing and returned in <see cref="LabelJoin.Unlabelled"/>, never dropped silently.
    /// </summary>
    /// <param name="data">Samples × SNPs.</param>
    /// <param name="labels">Sample id → label.</param>
    /// <param name="key">The obs column to write.</param>
    public static LabelJoin Join(AnnData data, IReadOnlyDictionary<string, string> labels, string key = "population")
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(labels);
        var values = new string?[data.NObs];
        var missing = new List<string>();
        for (int i = 0; i < values.Length; i++)
        {
            if (labels.TryGetValue(data.ObsNames[i], out var v)) values[i] = v;
            else missing.Add(data.ObsNames[i]);
        }
        var categories = values.Where(v => v != null).Select(v => v!).Distinct().Order(StringComparer.Ordinal).ToArray();
        var codes = values.Select(v => v == null ? -1 : Array.BinarySearch(categories, v, StringComparer.Ordinal)).ToArray();
        data.Obs.Remove(key);
        data.Obs.Add(new CategoricalColumn(key, categories, codes));
        return new LabelJoin(key, values.Length - missing.Count, missing);
    }

    /// <summary>The samples of <paramref name="data"/> that have a value in obs column <paramref name="key"/>, as a new <see cref="AnnData"/> (X and obs subset, var shared).</summary>
    /// <param name="data">Samples × SNPs.</param>
    /// <param name="key">The label column.</param>
    public static AnnData Labelled(AnnData data, string key = "population")
    {
        ArgumentNullException.ThrowIfNull(data);
        var col = data.Obs[key];
        var rows = Enumerable.Range(0, data.NObs).Where(i => col.GetString(i).Length > 0).ToArray();
        return SelectSamples(data, rows);
    }

    /// <summary>Rows <paramref name="rows"/> of a genotype <see cref="AnnData"/>: X and every obs column (string, categorical, integer, numeric) are subset; var is kept.</summary>
    /// <param name="data">Samples × SNPs.</param>
    /// <param name="rows">Rows in output order.</param>
    public static AnnData SelectSamples(AnnData data, int[] rows)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rows);
        var x = data.X ?? throw new ArgumentException("The data has no X matrix.", nameof(data));
        var obs = new DataFrame(rows.Select(r => data.ObsNames[r]).ToArray(), data.Obs.IndexName);
        foreach (var c in data.Obs.Columns)
        {
            obs.Add(c switch
            {
                CategoricalColumn cat => new CategoricalColumn(c.Name, cat.Categories, rows.Select(r => cat.Codes[r]).ToArray(), cat.Ordered),
                IntegerColumn ic => new IntegerColumn(c.Name, rows.Select(r => ic.Values[r]).ToArray()),
                NumericColumn nc => new NumericColumn(c.Name, rows.Select(r => nc.Values[r]).ToArray()),
                _ => new StringColumn(c.Name, rows.Select(r => (string?)c.GetString(r)).ToArray()),
            });
        }
        var result = new AnnData(x.SelectRows(rows), obs, data.Var);
        return result;
    }
}
