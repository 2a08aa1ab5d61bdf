using SingleCell.Models.Data;

namespace Inspect;

/// <summary>The file formats Inspect understands. Adding a format is one line here.</summary>
internal static class Formats
{
    public static readonly (string Name, Func<string, bool> Matches, Func<string, AnnData> Load)[] All =
    [
        ("AnnData h5ad", p => p.EndsWith(".h5ad", StringComparison.OrdinalIgnoreCase), p => AnnData.Read(p)),
        ("10x Cell Ranger HDF5", p => p.EndsWith(".h5", StringComparison.OrdinalIgnoreCase), TenX.ReadH5),
    ];

    public static (string Name, AnnData Data) Load(string path)
    {
        foreach (var (name, matches, load) in All)
            if (matches(path)) return (name, load(path));
        throw new NotSupportedException($"No reader for '{path}'. Supported: {string.Join(", ", All.Select(f => f.Name))}.");
    }
}
