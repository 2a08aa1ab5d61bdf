namespace SelectPerturbations;

/// <summary>Reads the --genes file.</summary>
internal static class GeneList
{
    public static IReadOnlyList<string> Read(string path)
    {
        if (path.EndsWith(".h5ad", StringComparison.OrdinalIgnoreCase))
            throw new NotSupportedException(
                $"'{path}' is an .h5ad file. Reading genes from AnnData needs AnnData.Read, which is not available " +
                "on this branch yet. Pass a text file with one gene symbol (or perturbation label such as SET+KLF1) per line.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Gene list '{path}' does not exist.", path);
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
}
