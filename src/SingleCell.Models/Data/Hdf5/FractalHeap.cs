namespace SingleCell.Models.Data.Hdf5;

/// <summary>Dense link and attribute storage (fractal heap with a v2 B-tree index).</summary>
internal static class FractalHeap
{
    public static IEnumerable<byte[]> ReadAllObjects(Hdf5File file, ulong heapAddress, string path) =>
        throw file.Error(path, "dense link or attribute storage (fractal heap) is not supported by this reader.");
}
