namespace SingleCell.Models.Tests.Data;

internal static class SharedData
{
    /// <summary>The /work/shared/data folder located from the repository root, or Assert.Ignore.</summary>
    public static string Folder(params string[] parts)
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "SingleCell.Models.sln"))) dir = dir.Parent;
        if (dir == null) Assert.Ignore("Repository root not found.");
        string path = Path.GetFullPath(Path.Combine([dir!.FullName, "..", "shared", "data", .. parts]));
        if (!Directory.Exists(path) && !File.Exists(path)) Assert.Ignore($"Shared data '{path}' is absent.");
        return path;
    }
}
