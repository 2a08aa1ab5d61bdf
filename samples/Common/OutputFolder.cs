namespace SingleCell.Models.Samples;

/// <summary>Where a sample writes its results; remembers each file so the sample can say where it went.</summary>
internal sealed class OutputFolder(string path)
{
    private readonly List<(string Path, string What)> _written = new();

    public string Path { get; } = path;

    /// <summary>The full path of <paramref name="fileName"/> inside the folder.</summary>
    public string File(string fileName) => System.IO.Path.Combine(Path, fileName);

    /// <summary>Records a file written (and returns its path).</summary>
    public string Wrote(string fileName, string what)
    {
        string full = File(fileName);
        _written.Add((full, what));
        return full;
    }

    /// <summary>Prints each file written, one per line, on stderr.</summary>
    public void Report()
    {
        if (_written.Count == 0) return;
        SampleProgress.Info($"wrote {_written.Count} file(s) to {Path}:");
        foreach (var (p, what) in _written)
            SampleProgress.Info($"  {System.IO.Path.GetFileName(p),-28} {what}");
    }
}
