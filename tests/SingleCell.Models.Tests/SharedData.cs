namespace SingleCell.Models.Tests;

/// <summary>Locates ../shared/data beside the repository checkout; tests skip when it is absent.</summary>
internal static class SharedData
{
    public static string? Root
    {
        get
        {
            var shared = TestPaths.SharedRoot;
            if (shared is null) return null;
            var data = Path.Combine(shared, "data");
            return Directory.Exists(data) ? data : null;
        }
    }

    /// <summary>The path of a shared data file, or Assert.Ignore when the folder or file is absent.</summary>
    public static string Require(string relative)
    {
        var root = Root;
        if (root is null) Assert.Ignore("../shared/data is not present beside the checkout; skipping a test that reads real data.");
        var path = Path.Combine(root!, relative);
        if (!File.Exists(path)) Assert.Ignore($"Shared data file '{relative}' is missing; skipping.");
        return path;
    }

    public static string TestDataFile(string relative) => Path.Combine(TestContext.CurrentContext.TestDirectory, relative);
}
