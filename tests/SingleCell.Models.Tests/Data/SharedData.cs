namespace SingleCell.Models.Tests.Data;

/// <summary>Locates ../shared/data beside the repository root; tests skip when it is absent.</summary>
internal static class SharedData
{
    public static string Root
    {
        get
        {
            var shared = TestPaths.SharedRoot;
            if (shared is null) Assert.Ignore("../shared is not beside the repository; shared data unavailable.");
            var data = Path.Combine(shared!, "data");
            if (!Directory.Exists(data)) Assert.Ignore($"Shared data folder {data} is absent; test skipped.");
            return data;
        }
    }

    public static string File(params string[] parts)
    {
        var path = Path.Combine([Root, .. parts]);
        if (!System.IO.File.Exists(path)) Assert.Ignore($"Shared data file {path} is absent; test skipped.");
        return path;
    }

    /// <summary>A folder or file under the shared data, or Assert.Ignore when absent.</summary>
    public static string Folder(params string[] parts)
    {
        var path = Path.Combine([Root, .. parts]);
        if (!Directory.Exists(path) && !System.IO.File.Exists(path)) Assert.Ignore($"Shared data {path} is absent; test skipped.");
        return path;
    }
}
