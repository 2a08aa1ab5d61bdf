namespace SingleCell.Models.Modeling;

/// <summary>
/// The one exception a model's <c>Load</c> throws for a file that is not a valid checkpoint of that
/// model: malformed safetensors, another model type or format version, options out of range or
/// implying more parameters than the file holds, a schema or state dict that does not match.
/// The message names the file and what is wrong.
/// </summary>
public sealed class CheckpointFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the file.</param>
    public CheckpointFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong, naming the file.</param>
    /// <param name="inner">The underlying error.</param>
    public CheckpointFormatException(string message, Exception inner) : base(message, inner) { }
}
