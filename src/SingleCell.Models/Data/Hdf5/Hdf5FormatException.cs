namespace SingleCell.Models.Data.Hdf5;

/// <summary>
/// An HDF5 file (or an <c>.h5ad</c> file built on it) is malformed, truncated or uses a feature
/// the managed reader does not support. The message names the file, the object path and the problem.
/// </summary>
public sealed class Hdf5FormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file being read.</param>
    /// <param name="objectPath">The HDF5 object (e.g. <c>/obs/cell_type</c>) being read, or empty.</param>
    /// <param name="problem">What was wrong.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public Hdf5FormatException(string filePath, string objectPath, string problem, Exception? inner = null)
        : base($"{filePath}: {(string.IsNullOrEmpty(objectPath) ? "" : $"object '{objectPath}': ")}{problem}", inner)
    {
        FilePath = filePath;
        ObjectPath = objectPath;
        Problem = problem;
    }

    /// <summary>The file being read.</summary>
    public string FilePath { get; }

    /// <summary>The HDF5 object path being read (empty when the problem is in the file header).</summary>
    public string ObjectPath { get; }

    /// <summary>What was wrong.</summary>
    public string Problem { get; }
}
