namespace SingleCell.Models.Benchmarks.Selection;

/// <summary>Finds ../shared/data/networks beside the checkout (BenchmarkDotNet runs from a generated folder).</summary>
internal static class DataPaths
{
    public static string Networks()
    {
        var env = Environment.GetEnvironmentVariable("SINGLECELL_NETWORKS");
        if (env is not null && Directory.Exists(env)) return env;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                if (!File.Exists(Path.Combine(d.FullName, "SingleCell.Models.sln")) || d.Parent is null) continue;
                var net = Path.Combine(d.Parent.FullName, "shared", "data", "networks");
                if (Directory.Exists(net)) return net;
            }
        throw new DirectoryNotFoundException("../shared/data/networks not found beside the checkout; set SINGLECELL_NETWORKS.");
    }
}
