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
    /// <param name="path">Path of the file; an existing file is replaced atomically (written to a temporary file, then renamed).</param>
    /// <remarks>
    /// X, layers, obsp and varp are stored as <c>csr_matrix</c> (X densely when <see cref="XWasDense"/>);
    /// obs/var as <c>dataframe</c> 0.2.0; uns values as <c>string</c>, <c>numeric-scalar</c>,
    /// <c>string-array</c>, <c>array</c>, <c>dict</c>. Datasets are chunked along rows and deflate-compressed.
    /// </remarks>
    /// <exception cref="NotSupportedException">A value in <see cref="Uns"/> has a type that cannot be stored.</exception>
    public void Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        H5adWriter.Write(this, path);
    }
}
