namespace SingleCell.Models.Tests;

/// <summary>The one place that finds the repository root, <c>../shared</c> beside it, and built sample apps.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string?> s_root = new(() =>
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SingleCell.Models.sln"))) dir = dir.Parent;
        return dir?.FullName;
    });

    /// <summary>The folder holding SingleCell.Models.sln, or null.</summary>
    public static string? RepositoryRoot => s_root.Value;

    /// <summary><c>../shared</c> beside the repository, or null when absent.</summary>
    public static string? SharedRoot
    {
        get
        {
            if (RepositoryRoot is null) return null;
            var shared = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
            return Directory.Exists(shared) ? shared : null;
        }
    }

    /// <summary>The built Release dll of a sample app (the test project builds the samples first), or Assert.Ignore.</summary>
    public static string SampleDll(string name)
    {
        if (RepositoryRoot is null) Assert.Ignore("Repository root (SingleCell.Models.sln) not found.");
        var dll = Path.Combine(RepositoryRoot!, "samples", name, "bin", "Release", "net10.0", name + ".dll");
        if (!File.Exists(dll)) Assert.Ignore($"{dll} is not built (build the solution in Release); test skipped.");
        return dll;
    }
}
