using System.Globalization;

namespace SingleCell.Models.Data.Formats;

/// <summary>
/// Number parsing shared by the text readers: integers are digits with an optional sign (no
/// fraction, exponent or spaces); values are finite float32 (<c>nan</c>, <c>inf</c> and numbers
/// that overflow float32, such as <c>1e400</c> or <c>1e39</c>, are rejected alike).
/// </summary>
internal static class TextNumbers
{
    /// <summary>Parses an optionally signed decimal integer that fits a <see cref="long"/>.</summary>
    public static bool TryInteger(ReadOnlySpan<char> s, out long value) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    /// <summary>Parses a decimal number whose float32 value is finite.</summary>
    public static bool TryFiniteSingle(ReadOnlySpan<char> s, out float value)
    {
        value = 0;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return false;
        value = (float)d;
        return float.IsFinite(value);
    }

    /// <summary>Parses a decimal number whose double value is finite.</summary>
    public static bool TryFiniteDouble(ReadOnlySpan<char> s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>The next whitespace-separated token of <paramref name="span"/> (empty at the end), advancing it.</summary>
    public static ReadOnlySpan<char> NextToken(ref ReadOnlySpan<char> span)
    {
        span = span.TrimStart(" \t\r");
        int end = span.IndexOfAny(' ', '\t', '\r');
        var token = end < 0 ? span : span[..end];
        span = end < 0 ? [] : span[end..];
        return token;
    }

    /// <summary>A token for an error message: at most 40 characters.</summary>
    public static string Show(ReadOnlySpan<char> token) => token.Length <= 40 ? token.ToString() : token[..40].ToString() + "…";
}
