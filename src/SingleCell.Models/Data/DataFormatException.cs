namespace SingleCell.Models.Data;

/// <summary>
/// A text or binary data file (MatrixMarket, 10x MTX folder, CSV/TSV, PLINK) is malformed,
/// truncated or damaged. The message names the file, the line (when the problem is on one) and
/// what was wrong. HDF5 files raise <see cref="Hdf5.Hdf5FormatException"/> instead; both are
/// <see cref="FormatException"/>s.
/// </summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file being read (or <c>(stream)</c> when reading a stream).</param>
    /// <param name="line">The 1-based line number of the problem, or 0 when it is not on one line.</param>
    /// <param name="problem">What was wrong.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public DataFormatException(string filePath, long line, string problem, Exception? inner = null)
        : base(line > 0 ? $"{filePath}: line {line}: {problem}" : $"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        Line = line;
        Problem = problem;
    }

    /// <summary>The file being read.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line number of the problem, or 0 when it is not on one line.</summary>
    public long Line { get; }

    /// <summary>What was wrong.</summary>
    public string Problem { get; }
}
