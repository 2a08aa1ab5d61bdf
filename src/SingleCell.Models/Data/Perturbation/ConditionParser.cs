namespace SingleCell.Models.Data;

/// <summary>Parses perturbation condition labels such as <c>ctrl</c>, <c>A+ctrl</c>, <c>A+B</c> or <c>A_B</c> into gene sets.</summary>
public sealed class ConditionParser
{
    /// <summary>Creates a parser.</summary>
    /// <param name="controlLabels">Labels (case-insensitive) meaning "no perturbation"; default <c>ctrl</c>, <c>control</c>, <c>non-targeting</c>.</param>
    /// <param name="separators">Separators between genes; default <c>+</c>.</param>
    public ConditionParser(IEnumerable<string>? controlLabels = null, IEnumerable<char>? separators = null)
    {
        ControlLabels = new HashSet<string>(controlLabels ?? ["ctrl", "control", "non-targeting", "NegCtrl"], StringComparer.OrdinalIgnoreCase);
        Separators = (separators ?? ['+']).ToArray();
    }

    /// <summary>Labels treated as control.</summary>
    public IReadOnlySet<string> ControlLabels { get; }

    /// <summary>Gene separators.</summary>
    public char[] Separators { get; }

    /// <summary>The perturbed genes of <paramref name="condition"/>, sorted and without control parts; empty for a control cell.</summary>
    /// <param name="condition">The label, e.g. <c>KLF1+ctrl</c> → {KLF1}, <c>SET+KLF1</c> → {KLF1, SET}.</param>
    public string[] Parse(string condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (ControlLabels.Contains(condition.Trim())) return [];
        return condition.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(p => !ControlLabels.Contains(p)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Whether <paramref name="condition"/> is a control label (no perturbed gene).</summary>
    /// <param name="condition">The label.</param>
    public bool IsControl(string condition) => Parse(condition).Length == 0;

    /// <summary>The canonical GEARS form: <c>ctrl</c>, <c>A+ctrl</c> or <c>A+B</c> (genes sorted).</summary>
    /// <param name="genes">The perturbed genes.</param>
    public static string Canonical(IReadOnlyList<string> genes) => genes.Count switch
    {
        0 => "ctrl",
        1 => genes[0] + "+ctrl",
        _ => string.Join('+', genes.Order(StringComparer.Ordinal)),
    };
}
