namespace SingleCell.Models.Notebooks.Tests;

/// <summary>Finds the repository root (the folder holding SingleCell.Models.sln) from the test output folder.</summary>
internal static class Paths
{
    public static string? RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SingleCell.Models.sln"))) return d.FullName;
        return null;
    }

    public static string? NotebookFolder() => RepositoryRoot() is { } root ? Path.Combine(root, "samples", "notebooks") : null;
}
