using System.Globalization;
using System.Text;

namespace SingleCell.Models.Samples;

/// <summary>A usage error: a bad flag, value, file or folder. The sample prints its message on one line and exits with 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The command line of a sample: declared options (so unknown flags, missing values and the
/// help text come from one place) and typed, range-checked accessors that throw
/// <see cref="UsageException"/> with one line naming the flag and what was expected.
/// </summary>
internal sealed class SampleArgs
{
    private readonly List<Spec> _specs = new();
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly List<string> _positionals = new();
    private readonly List<string> _examples = new();
    private (string Name, string Help, bool Required)? _positional;

    private sealed record Spec(string Name, string? Value, string Help, string? Default);

    /// <summary>Declares a sample's command line.</summary>
    public SampleArgs(string program, string summary)
    {
        Program = program;
        Summary = summary;
        Flag("--help", "show this help and exit");
        Flag("--verbose", "show the stack trace of an error");
    }

    public string Program { get; }

    public string Summary { get; }

    /// <summary>Free text printed after the options in --help (run times, file formats, notes).</summary>
    public string? Notes { get; set; }

    public bool Verbose => _values.ContainsKey("--verbose");

    public bool HelpRequested => _values.ContainsKey("--help");

    /// <summary>An option that takes a value (<c>--name VALUE</c> or <c>--name=VALUE</c>).</summary>
    public SampleArgs Option(string name, string value, string help, string? defaultText = null)
    {
        _specs.Add(new Spec(name, value, help, defaultText));
        return this;
    }

    /// <summary>A switch without a value.</summary>
    public SampleArgs Flag(string name, string help)
    {
        _specs.Add(new Spec(name, null, help, null));
        return this;
    }

    /// <summary>The one positional argument the sample takes, if any.</summary>
    public SampleArgs Positional(string name, string help, bool required = true)
    {
        _positional = (name, help, required);
        return this;
    }

    /// <summary>An example command line for --help.</summary>
    public SampleArgs Example(string commandLine)
    {
        _examples.Add(commandLine);
        return this;
    }

    /// <summary>Reads the arguments; throws <see cref="UsageException"/> for anything undeclared.</summary>
    public SampleArgs Parse(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "-h") a = "--help";
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                string name = a, inline = null!;
                int eq = a.IndexOf('=');
                if (eq > 0) { name = a[..eq]; inline = a[(eq + 1)..]; }
                var spec = _specs.Find(s => s.Name == name)
                    ?? throw new UsageException($"unknown option '{name}'{Suggest(name)}");
                if (spec.Value is null)
                {
                    if (eq > 0) throw new UsageException($"{name} takes no value; got '{a}'");
                    _values[name] = null;
                }
                else if (eq > 0) _values[name] = inline;
                else if (i + 1 < args.Length) _values[name] = args[++i];
                else throw new UsageException($"{name} needs a value: {name} {spec.Value}");
            }
            else if (_positional is null || _positionals.Count > 0)
                throw new UsageException(_positional is null ? $"unexpected argument '{a}' (this sample takes options only)" : $"unexpected extra argument '{a}'");
            else _positionals.Add(a);
        }
        if (!HelpRequested && _positional is { Required: true } p && _positionals.Count == 0)
            throw new UsageException($"missing {p.Name}: {p.Help}");
        return this;
    }

    /// <summary>The positional argument, or null.</summary>
    public string? PositionalValue => _positionals.Count > 0 ? _positionals[0] : null;

    public bool Has(string name) => _values.ContainsKey(Known(name));

    public string? String(string name) => _values.TryGetValue(Known(name), out var v) ? v : null;

    public string String(string name, string fallback) => String(name) ?? fallback;

    /// <summary>One of <paramref name="choices"/> (case-insensitive), or the default.</summary>
    public string Choice(string name, string fallback, params string[] choices)
    {
        var v = String(name);
        if (v is null) return fallback;
        foreach (var c in choices) if (string.Equals(c, v, StringComparison.OrdinalIgnoreCase)) return c;
        throw new UsageException($"{name} must be one of {string.Join(", ", choices)}; got '{v}'");
    }

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var v = String(name);
        if (v is null) return fallback;
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n))
            throw new UsageException($"{name} expects a whole number{Range(min, max)}; got '{v}'");
        if (n < min || n > max) throw new UsageException($"{name} must be{Range(min, max)}; got {n}");
        return n;
    }

    public ulong ULong(string name, ulong fallback)
    {
        var v = String(name);
        if (v is null) return fallback;
        return ulong.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong n) ? n
            : throw new UsageException($"{name} expects a whole number ≥ 0; got '{v}'");
    }

    public double Double(string name, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool exclusiveMin = false)
    {
        var v = String(name);
        if (v is null) return fallback;
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x))
            throw new UsageException($"{name} expects a number; got '{v}'");
        if (x < min || (exclusiveMin && x == min) || x > max)
        {
            string lo = double.IsNegativeInfinity(min) ? "" : $"{(exclusiveMin ? ">" : "≥")} {min.ToString(CultureInfo.InvariantCulture)}";
            string hi = double.IsPositiveInfinity(max) ? "" : $"≤ {max.ToString(CultureInfo.InvariantCulture)}";
            throw new UsageException($"{name} must be {string.Join(" and ", new[] { lo, hi }.Where(s => s.Length > 0))}; got {v}");
        }
        return x;
    }

    /// <summary>A comma-separated list of whole numbers, each in range, or null when absent.</summary>
    public int[]? IntList(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        var v = String(name);
        if (v is null) return null;
        var items = v.Split(',', StringSplitOptions.TrimEntries);
        var result = new int[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (!int.TryParse(items[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out result[i]))
                throw new UsageException($"{name} expects comma-separated whole numbers{Range(min, max)}; got '{items[i]}' in '{v}'");
            if (result[i] < min || result[i] > max)
                throw new UsageException($"{name}: each value must be{Range(min, max)}; got {result[i]}");
        }
        return result;
    }

    /// <summary>A comma-separated list of numbers from <paramref name="min"/> to <paramref name="max"/>, or null when absent.</summary>
    public double[]? DoubleList(string name, double min, double max)
    {
        var v = String(name);
        if (v is null) return null;
        var items = v.Split(',', StringSplitOptions.TrimEntries);
        var result = new double[items.Length];
        string range = $"from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}";
        for (int i = 0; i < items.Length; i++)
        {
            if (!double.TryParse(items[i], NumberStyles.Float, CultureInfo.InvariantCulture, out result[i]) || !double.IsFinite(result[i]))
                throw new UsageException($"{name} expects comma-separated numbers {range}; got '{items[i]}' in '{v}'");
            if (result[i] < min || result[i] > max)
                throw new UsageException($"{name}: each value must be {range}; got {items[i]}");
        }
        return result;
    }

    /// <summary>The value as an existing file (checked now, before any work), or null when absent.</summary>
    public string? ExistingFile(string name)
    {
        var v = String(name);
        if (v is null) return null;
        if (Directory.Exists(v)) throw new UsageException($"{name} expects a file; '{v}' is a folder");
        if (!File.Exists(v)) throw new UsageException($"{name}: file '{v}' does not exist");
        return v;
    }

    /// <summary>The value as an existing folder (checked now), or null when absent.</summary>
    public string? ExistingFolder(string name, params string[] mustContain)
    {
        var v = String(name);
        if (v is null) return null;
        if (File.Exists(v)) throw new UsageException($"{name} expects a folder; '{v}' is a file");
        if (!Directory.Exists(v)) throw new UsageException($"{name}: folder '{v}' does not exist");
        var missing = mustContain.Where(f => !File.Exists(Path.Combine(v, f))).ToArray();
        if (missing.Length > 0) throw new UsageException($"{name}: folder '{v}' lacks {string.Join(", ", missing)}");
        return v;
    }

    /// <summary>
    /// The output folder: created now and probed with a small file (so a bad or read-only path fails before the
    /// work, not after it), or null when absent and no default.
    /// </summary>
    public string? OutputFolder(string name, string? fallback = null)
    {
        var v = String(name) ?? fallback;
        if (v is null) return null;
        if (v.Length == 0) throw new UsageException($"{name} expects a folder to write into; got an empty value");
        if (File.Exists(v)) throw new UsageException($"{name} expects a folder to write into; '{v}' is a file");
        try { Directory.CreateDirectory(v); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new UsageException($"{name}: cannot create folder '{v}' ({e.Message.TrimEnd('.')})");
        }
        string probe = Path.Combine(v, ".write-test");
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new UsageException($"{name}: cannot write into folder '{v}' ({e.Message.TrimEnd('.')})");
        }
        return Path.GetFullPath(v);
    }

    /// <summary>The --help text: usage, options with defaults, notes and examples.</summary>
    public string Help()
    {
        var sb = new StringBuilder();
        sb.AppendLine(Summary).AppendLine();
        sb.Append("usage: ").Append(Program);
        if (_positional is { } p) sb.Append(p.Required ? $" <{p.Name}>" : $" [<{p.Name}>]");
        sb.AppendLine(" [options]").AppendLine();
        if (_positional is { } pos) sb.AppendLine($"  {"<" + pos.Name + ">",-26}{pos.Help}").AppendLine();
        sb.AppendLine("options:");
        foreach (var s in _specs)
        {
            string left = s.Value is null ? s.Name : $"{s.Name} {s.Value}";
            string help = s.Default is null ? s.Help : $"{s.Help} (default: {s.Default})";
            sb.AppendLine(left.Length >= 26 ? $"  {left}\n  {"",-26}{help}" : $"  {left,-26}{help}");
        }
        if (Notes is not null) sb.AppendLine().AppendLine(Notes.TrimEnd());
        if (_examples.Count > 0)
        {
            sb.AppendLine().AppendLine("example:");
            foreach (var e in _examples) sb.AppendLine($"  {e}");
        }
        sb.AppendLine().AppendLine("exit codes: 0 done, 1 failed (one line on stderr; --verbose adds the stack trace), 2 usage error.");
        return sb.ToString();
    }

    private string Known(string name) => _specs.Exists(s => s.Name == name) ? name
        : throw new InvalidOperationException($"The sample reads undeclared option {name}.");

    private string Suggest(string name)
    {
        var close = _specs.Select(s => s.Name).Where(n => n.Contains(name.TrimStart('-'), StringComparison.OrdinalIgnoreCase)
            || name.Contains(n.TrimStart('-'), StringComparison.OrdinalIgnoreCase)).ToArray();
        return close.Length > 0 ? $"; did you mean {string.Join(" or ", close)}?" : "";
    }

    private static string Range(int min, int max) =>
        min == int.MinValue && max == int.MaxValue ? "" : max == int.MaxValue ? $" ≥ {min}" : min == int.MinValue ? $" ≤ {max}" : $" from {min} to {max}";
}
