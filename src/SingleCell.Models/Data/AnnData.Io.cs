using Microsoft.Extensions.Logging;
using SingleCell.Models.Data.Hdf5;

namespace SingleCell.Models.Data;

public sealed partial class AnnData
{
    /// <summary>Reads an AnnData <c>.h5ad</c> file into memory.</summary>
    /// <param name="path">Path of the file.</param>
    /// <param name="logger">Receives a warning for each element that is skipped as unsupported.</param>
    /// <returns>The object.</returns>
    /// <remarks>
    /// Reads the current encoding (anndata ≥ 0.8), the 0.7 layout (categories under
    /// <c>__categories</c>) and the legacy 0.6 layout (compound obs/var datasets, <c>h5sparse_format</c>).
    /// </remarks>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="Hdf5FormatException">The file is not a readable HDF5/h5ad file; the message names the file and object.</exception>
    public static AnnData Read(string path, ILogger? logger = null)
    {
        using var file = Hdf5File.Open(path);
        try
        {
            return new H5adReader(file, logger).Read();
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or InvalidCastException or KeyNotFoundException)
        {
            throw file.Error("", $"inconsistent h5ad content: {e.Message}", e);
        }
    }

    /// <summary>Writes this object as an <c>.h5ad</c> file in the current anndata encoding.</summary>
    /// <param name="path">Path of the file; an existing file is replaced.</param>
    public void Write(string path) => throw new NotImplementedException();

    /// <summary>
    /// Reads the rows of a CSR <c>X</c> in blocks without loading the whole matrix; memory stays
    /// bounded by the block size.
    /// </summary>
    /// <param name="path">Path of the <c>.h5ad</c> file.</param>
    /// <param name="rowsPerChunk">Rows per block.</param>
    /// <returns>Blocks of consecutive rows with the index of their first row.</returns>
    /// <exception cref="FormatException">X is not a CSR matrix or the file is malformed.</exception>
    public static IEnumerable<(int StartRow, CellMatrix Rows)> ReadXRowChunks(string path, int rowsPerChunk = 4096) => throw new NotImplementedException();
}
