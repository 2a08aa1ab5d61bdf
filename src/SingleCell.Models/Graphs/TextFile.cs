using System.Text;
using SingleCell.Models.Data.Formats;

namespace SingleCell.Models.Graphs;

/// <summary>Opens annotation and network text files, decompressing <c>.gz</c> files as a stream.</summary>
internal static class TextFile
{
    /// <summary>
    /// Opens <paramref name="path"/> for line reading; gzip is detected by its magic bytes and its
    /// CRC-32 and length verified at the end, a damaged or truncated stream raising
    /// <see cref="InvalidDataException"/> that names the file.
    /// </summary>
    public static StreamReader Open(string path)
    {
        var s = CompressedInput.Open(path, problem => new InvalidDataException($"'{path}': {problem}"));
        return new StreamReader(s, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    /// <summary>Splits <paramref name="line"/> on <paramref name="separator"/> into at most <paramref name="fields"/>.Length ranges.</summary>
    /// <returns>The number of fields found (may exceed the span length; extra fields are not recorded).</returns>
    public static int Split(ReadOnlySpan<char> line, char separator, Span<Range> fields)
    {
        int count = 0, start = 0;
        for (int i = 0; i <= line.Length; i++)
        {
            if (i < line.Length && line[i] != separator) continue;
            if (count < fields.Length) fields[count] = new Range(start, i);
            count++;
            start = i + 1;
        }
        return count;
    }

    /// <summary>Parses a non-negative decimal integer; returns false on anything else.</summary>
    public static bool TryParseInt(ReadOnlySpan<char> s, out int value)
        => int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out value);

    /// <summary>Parses a GO identifier <c>GO:nnnnnnn</c> into its number; returns false otherwise.</summary>
    public static bool TryParseGoId(ReadOnlySpan<char> s, out int id)
    {
        id = 0;
        s = s.Trim();
        return s.Length > 3 && s.StartsWith("GO:", StringComparison.Ordinal) && TryParseInt(s[3..], out id);
    }
}
