using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace SingleCell.Models.Notebooks.Tests;

/// <summary>
/// Runs every code cell of every notebook in samples/notebooks, in order, in a fresh C# kernel per notebook,
/// and fails on the first cell that errors, naming the notebook and the cell. A notebook dropped into the
/// folder is picked up without any change here.
/// </summary>
/// <remarks>
/// The notebooks reference the packages as users do (<c>#r "nuget: SingleCell.Models, 0.1.0"</c>); here those
/// lines are pointed at the assemblies built with this project, whose output folder carries every dependency.
/// The package itself is consumed from a local feed by <see cref="PackageConsumptionTests"/>.
/// </remarks>
[Category("Notebooks")]
public class NotebookTests
{
    private static readonly Regex s_packageReference = new(@"^\s*#r\s+""nuget:\s*(SingleCell\.Models(\.[A-Za-z]+)?)\s*(,[^""]*)?""\s*$", RegexOptions.Multiline);

    public static IEnumerable<TestCaseData> Notebooks()
    {
        var folder = Paths.NotebookFolder();
        if (folder is null) yield break;
        foreach (var file in Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal))
            yield return new TestCaseData(Path.GetFileName(file)).SetName($"Notebook_runs_every_cell({Path.GetFileName(file)})");
    }

    [Test]
    public void The_notebook_folder_has_notebooks() =>
        Assert.That(Notebooks().Count(), Is.GreaterThanOrEqualTo(2), "samples/notebooks holds the data I/O and sVAE notebooks");

    [TestCaseSource(nameof(Notebooks))]
    public async Task Notebook_runs_every_cell(string name)
    {
        string path = Path.Combine(Paths.NotebookFolder()!, name);
        var document = Notebook.Parse(await File.ReadAllTextAsync(path));
        using var kernel = new CSharpKernel();
        int cellNumber = 0, ran = 0;
        foreach (var cell in document.Elements)
        {
            cellNumber++;
            if (!IsCSharp(cell)) continue;
            string code = s_packageReference.Replace(cell.Contents, m => $"#r \"{Path.Combine(AppContext.BaseDirectory, m.Groups[1].Value + ".dll")}\"");
            var result = await kernel.SendAsync(new SubmitCode(code));
            var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
            if (failed is not null)
            {
                var diagnostics = result.Events.OfType<DiagnosticsProduced>().SelectMany(d => d.Diagnostics).Select(d => d.ToString());
                Assert.Fail($"{name}, cell {cellNumber} failed: {failed.Message}\n{string.Join("\n", diagnostics)}\n--- cell ---\n{cell.Contents}");
            }
            ran++;
        }
        Assert.That(ran, Is.GreaterThan(0), $"{name} has no C# code cell");
    }

    private static bool IsCSharp(InteractiveDocumentElement cell) =>
        cell.KernelName is null or "csharp" or "C#" or "c#";
}
