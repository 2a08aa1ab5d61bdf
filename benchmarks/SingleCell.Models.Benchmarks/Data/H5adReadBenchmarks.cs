using BenchmarkDotNet.Attributes;
using SingleCell.Models.Data;

namespace SingleCell.Models.Benchmarks.Data;

/// <summary>
/// Reading the CSR X (float64, gzip) of the real Perturb-seq h5ad from ../shared/data, and the
/// whole file. Throughput is reported by Program as decoded MB (data + indices + indptr) per second;
/// the Python peer is benchmarks/python/read_h5ad_peer.py.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class H5adReadBenchmarks
{
    private string _path = "";

    [GlobalSetup]
    public void Setup() => _path = SharedDataPath("perturbation", "norman2019_mcfaline2023_devel.h5ad");

    /// <summary>X only, through the backed reader in one block.</summary>
    [Benchmark]
    public int ReadX()
    {
        int nnz = 0;
        foreach (var (_, block) in AnnData.ReadXRowChunks(_path, int.MaxValue)) nnz += block.NonZeroCount;
        return nnz;
    }

    /// <summary>The whole object (X, obs, var, uns, ...), as anndata.read_h5ad does.</summary>
    [Benchmark]
    public int ReadWholeFile() => AnnData.Read(_path).X!.NonZeroCount;

    internal static string SharedDataPath(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SingleCell.Models.sln"))) dir = dir.Parent;
        var path = Path.Combine([dir?.FullName ?? ".", "..", "shared", "data", .. parts]);
        if (!File.Exists(path)) throw new FileNotFoundException($"Benchmark data {path} is absent (../shared/data beside the repository).");
        return Path.GetFullPath(path);
    }
}
