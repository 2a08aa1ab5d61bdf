namespace SelectPerturbations;

/// <summary>Reads the --genes file.</summary>
internal static class GeneList
{
    public static IReadOnlyList<string> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Gene list '{path}' does not exist.", path);
        if (path.EndsWith(".h5ad", StringComparison.OrdinalIgnoreCase)) return FromH5ad(path);
        var genes = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            foreach (var field in line.Split(new[] { '\t', ',', ' ', '+' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (field is "control" or "ctrl") continue;
                if (seen.Add(field)) genes.Add(field);
            }
        }
        if (genes.Count == 0) throw new InvalidDataException($"Gene list '{path}' holds no gene symbols.");
        return genes;
    }

    /// <summary>
    /// The perturbed genes (obs <c>perturbation</c>, <c>condition</c> or <c>perturbation_name</c>,
    /// split on '+', controls skipped) followed by the measured genes (var <c>gene_symbol</c> or
    /// <c>gene_name</c>, else the var index): GEARS' node list for a dataset.
    /// </summary>
    private static IReadOnlyList<string> FromH5ad(string path)
    {
        var adata = SingleCell.Models.Data.AnnData.Read(path);
        var genes = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in new[] { "perturbation", "condition", "perturbation_name" })
        {
            var col = adata.Obs.Find(name);
            if (col is null) continue;
            var labels = new SortedSet<string>(StringComparer.Ordinal);
            for (int r = 0; r < col.Length; r++) labels.Add(col.GetString(r));
            foreach (var label in labels)
                foreach (var g in label.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    if (g is not ("control" or "ctrl") && seen.Add(g)) genes.Add(g);
            break;
        }
        var symbols = adata.Var.Find("gene_symbol") ?? adata.Var.Find("gene_name");
        for (int v = 0; v < adata.NVars; v++)
        {
            var g = symbols?.GetString(v) ?? adata.VarNames[v];
            if (g.Length > 0 && seen.Add(g)) genes.Add(g);
        }
        if (genes.Count == 0) throw new InvalidDataException($"'{path}' has no genes in var and no perturbation labels in obs.");
        return genes;
    }
}
