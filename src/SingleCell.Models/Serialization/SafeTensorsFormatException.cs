namespace SingleCell.Models.Serialization;

/// <summary>
/// A safetensors file (or checkpoint) is malformed: truncated, an oversized or invalid header, an
/// unknown dtype, offsets past the end of the buffer, overlapping or non-contiguous buffers, or a
/// checkpoint format this version cannot read.
/// </summary>
public class SafeTensorsFormatException : FormatException
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong, naming the tensor or field where possible.</param>
    public SafeTensorsFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="inner">The exception that revealed it (for example a JSON parse error).</param>
    public SafeTensorsFormatException(string message, Exception inner) : base(message, inner) { }
}
