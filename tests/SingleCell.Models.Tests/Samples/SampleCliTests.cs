using SingleCell.Models.Tests.Data;

namespace SingleCell.Models.Tests.Samples;

/// <summary>
/// Runs the built samples with bad arguments: each must exit with 2 (usage) or 1 (failure)
/// before doing any work, with one line on stderr naming the flag or file, and no stack trace.
/// The rows are the table of docs/guides/samples.md.
/// </summary>
public class SampleCliTests
{
    private static string _dir = "";

    [OneTimeSetUp]
    public void Files()
    {
        _dir = Path.Combine(Path.GetTempPath(), "scm-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "edges.tsv"), "source\ttarget\nA\tB\nB\tC\nC\tD\nD\tE\nE\tA\nF\tG\nG\tH\n");
        File.WriteAllText(Path.Combine(_dir, "genes.txt"), "A\nB\nZZZ\nYYY\nF\n");
        File.WriteAllText(Path.Combine(_dir, "candidates.txt"), "A\nQQQ\nC\n");
        File.WriteAllText(Path.Combine(_dir, "empty.txt"), "# nothing\n");
        File.WriteAllText(Path.Combine(_dir, "notes.txt"), "hello\n");
        File.WriteAllText(Path.Combine(_dir, "bad.h5ad"), "not hdf5\n");
        File.WriteAllText(Path.Combine(_dir, "x.h5"), "not hdf5\n");
        File.WriteAllText(Path.Combine(_dir, "bad.csv"), "a,b\n1,x\n");
        File.WriteAllText(Path.Combine(_dir, "m.mtx"), "%%MatrixMarket matrix coordinate integer general\n3 2 2\n1 1 5\n3 2 7\n");
    }

    [OneTimeTearDown]
    public void Clean()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    internal static (int Code, string Output, string Error) Run(string sample, string args)
    {
        string dll = TestPaths.SampleDll(sample);
        // Resolve {dir} to the test folder; run there so relative names work.
        return AnnDataRoundTripTests.Run("dotnet", $"\"{dll}\" {args.Replace("{dir}", _dir)}");
    }

    [TestCase("Quickstart", "--help", 0, "--epochs N")]
    [TestCase("Quickstart", "30", 2, "Quickstart: unexpected argument '30' (this sample takes options only)")]
    [TestCase("Quickstart", "--help2", 2, "Quickstart: unknown option '--help2'; did you mean --help?")]
    [TestCase("Quickstart", "--epochs 0", 2, "Quickstart: --epochs must be ≥ 1; got 0")]
    [TestCase("Quickstart", "--epochs ten", 2, "Quickstart: --epochs expects a whole number ≥ 1; got 'ten'")]
    [TestCase("Quickstart", "--out {dir}/notes.txt", 2, "--out expects a folder to write into;")]
    [TestCase("SparseShiftVae", "--help", 0, "--real DIR")]
    [TestCase("SparseShiftVae", "--epochs -1", 2, "SparseShiftVae: --epochs must be ≥ 1; got -1")]
    [TestCase("SparseShiftVae", "--epochs abc", 2, "SparseShiftVae: --epochs expects a whole number ≥ 1; got 'abc'")]
    [TestCase("SparseShiftVae", "--out {dir}/notes.txt", 2, "--out expects a folder to write into;")]
    [TestCase("SparseShiftVae", "--real /nonexistent", 2, "SparseShiftVae: --real: folder '/nonexistent' does not exist")]
    [TestCase("SparseShiftVae", "--real {dir}", 2, "lacks response_genes.tsv, grna_ids.tsv")]
    [TestCase("SparseShiftVae", "--variants vae,foo", 2, "--variants: unknown variant 'foo' (expected vae, beta-vae, ivae, svae, svae+)")]
    [TestCase("SparseShiftVae", "--beta 0", 2, "--beta must be > 0; got 0")]
    [TestCase("SparseShiftVae", "--chems 2", 2, "--chems must be ≥ 3; got 2")]
    [TestCase("SparseShiftVae", "--epochs", 2, "--epochs needs a value: --epochs N")]
    [TestCase("SparseShiftVae", "--epoch 3", 2, "unknown option '--epoch'; did you mean --epochs?")]
    [TestCase("SelectPerturbations", "--help", 0, "the gain column")]
    [TestCase("SelectPerturbations", "--genes {dir}/badfile", 2, "--genes: file '")]
    [TestCase("SelectPerturbations", "--genes {dir}/empty.txt --graph {dir}/edges.tsv", 1, "holds no gene symbols")]
    [TestCase("SelectPerturbations", "--budget 0", 2, "--budget must be ≥ 1; got 0")]
    [TestCase("SelectPerturbations", "--budget many", 2, "--budget expects a whole number ≥ 1; got 'many'")]
    [TestCase("SelectPerturbations", "--method best", 2, "--method must be one of graphreach, facility, logdet, random, degree; got 'best'")]
    [TestCase("SelectPerturbations", "--graph nosuch.tsv", 2, "--graph expects go, string, coexpression or an edge-list file; 'nosuch.tsv' does not exist")]
    [TestCase("SelectPerturbations", "--graph coexpression", 2, "--graph coexpression needs --data FILE.h5ad")]
    [TestCase("SelectPerturbations", "--graph coexpression --data {dir}/edges.tsv", 2, "--data with --graph coexpression expects an .h5ad file")]
    [TestCase("SelectPerturbations", "--hops 9", 2, "--hops must be from 0 to 5; got 9")]
    [TestCase("SelectPerturbations", "--data /nope", 2, "--data: folder '/nope' does not exist")]
    [TestCase("SelectPerturbations", "--frobnicate", 2, "unknown option '--frobnicate'")]
    [TestCase("Inspect", "", 2, "Inspect: missing file")]
    [TestCase("Inspect", "--help", 0, "PLINK 1 binary")]
    [TestCase("Inspect", "/nope.h5ad", 2, "Inspect: file '/nope.h5ad' does not exist")]
    [TestCase("Inspect", "{dir}/m.mtx --bogus", 2, "Inspect: unknown option '--bogus'")]
    [TestCase("Inspect", "{dir}/notes.txt", 2, "no reader for '")]
    [TestCase("Inspect", "{dir}/edges.tsv --transpose --json --json2", 2, "unknown option '--json2'")]
    [TestCase("Inspect", "{dir}/m.mtx {dir}/m.mtx", 2, "unexpected extra argument")]
    [TestCase("Inspect", "{dir}/x.h5 --transpose", 2, "--transpose applies to MatrixMarket and CSV/TSV input;")]
    [TestCase("Inspect", "{dir}/bad.h5ad", 1, "Inspect: error: {dir}/bad.h5ad")]
    [TestCase("Inspect", "{dir}/bad.csv", 1, "Inspect: error: ")]
    [TestCase("Inspect", "{dir}/empty.txt.h5ad", 2, "does not exist")]
    public void Bad_input_gets_one_line_and_the_exit_code(string sample, string args, int exitCode, string message)
    {
        var (code, output, error) = Run(sample, args);
        Assert.That(code, Is.EqualTo(exitCode), $"stdout: {output}\nstderr: {error}");
        if (exitCode == 0)
        {
            Assert.That(output, Does.Contain(message).And.Contain("example:").And.Contain("options:"));
            return;
        }
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), error);
        Assert.That(lines[0], Does.StartWith(sample + ": ").And.Contain(message.Replace("{dir}", _dir)));
        Assert.That(error, Does.Not.Contain("   at "), "no stack trace without --verbose");
    }

    [Test]
    public void Verbose_adds_the_stack_trace()
    {
        var (code, _, error) = Run("SelectPerturbations", "--genes {dir}/empty.txt --graph {dir}/edges.tsv --verbose");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("holds no gene symbols").And.Contain("   at "));
    }

    [Test]
    public void Inspect_names_plink_samples_and_snps_and_transposes_matrix_market()
    {
        var (code, output, error) = Run("Inspect", "{dir}/m.mtx --transpose");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("2 cells × 3 genes"));
        (code, output, error) = Run("Inspect", "{dir}/m.mtx");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("3 cells × 2 genes"));
        if (TestPaths.SharedRoot is not { } shared) return;
        string prefix = Path.Combine(shared, "data", "genotypes", "HM3_thinned_autosomal_overlap");
        if (!File.Exists(prefix + ".bed")) return;
        (code, output, error) = Run("Inspect", $"\"{prefix}\"");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("957 samples × 14,079 SNPs").And.Contain("SNPs: rs"));
    }

    [Test]
    public void SelectPerturbations_warns_and_writes_the_selection_and_its_curve()
    {
        string outDir = Path.Combine(_dir, "select-out");
        var (code, output, error) = Run("SelectPerturbations",
            $"--graph {{dir}}/edges.tsv --genes {{dir}}/genes.txt --candidates {{dir}}/candidates.txt --budget 5 --method degree --json --out \"{outDir}\"");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(error, Does.Contain("warning: taking the first line of 'edges.tsv' as a header"));
        Assert.That(error, Does.Contain("warning: 2 of 5 genes of --genes are not in the edges.tsv graph and were left out: ZZZ, YYY"));
        Assert.That(error, Does.Contain("warning: 2 of 3 genes of --candidates are not in the edges.tsv graph and were left out: QQQ, C"));
        Assert.That(error, Does.Contain("warning: --budget 5 exceeds the 1 candidate genes; all 1 are ranked"));
        var json = System.Text.Json.JsonDocument.Parse(output).RootElement;
        Assert.That(json.GetProperty("objective").GetString(), Is.EqualTo("graphreach_coverage_1hop_genes"));
        Assert.That(json.GetProperty("selected")[0].GetString(), Is.EqualTo("A"));
        Assert.That(json.GetProperty("gains")[0].GetDouble(), Is.EqualTo(2), "A reaches itself and B in the subgraph {A, B, F}");
        var tsv = File.ReadAllLines(Path.Combine(outDir, "selection.tsv"));
        Assert.That(tsv[0], Is.EqualTo("rank\tgene\tgain_genes_reached\treached_genes\tmethod"));
        Assert.That(tsv[1], Is.EqualTo("1\tA\t2\t2\tdegree"));
        Assert.That(PlottingTests.IsPng(Path.Combine(outDir, "selection_curve.png")));
        Assert.That(PlottingTests.ParsesAsSvg(Path.Combine(outDir, "selection_curve.svg")));
    }

    [Test]
    public void Every_method_reports_gains_on_the_same_objective()
    {
        foreach (var method in new[] { "graphreach", "facility", "logdet", "random", "degree" })
        {
            var (code, output, error) = Run("SelectPerturbations", $"--graph {{dir}}/edges.tsv --budget 3 --method {method} --json");
            Assert.That(code, Is.EqualTo(0), error);
            var json = System.Text.Json.JsonDocument.Parse(output).RootElement;
            var gains = json.GetProperty("gains").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var reached = json.GetProperty("reached").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.That(reached[^1], Is.EqualTo(gains.Sum()), method);
            Assert.That(gains, Has.All.GreaterThanOrEqualTo(0), method);
        }
    }
}
