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
        File.WriteAllText(Path.Combine(_dir, "oneCol.tsv"), "a\nb\n");
        File.WriteAllText(Path.Combine(_dir, "bad.h5ad"), "not hdf5\n");
        File.WriteAllText(Path.Combine(_dir, "x.h5"), "not hdf5\n");
        File.WriteAllText(Path.Combine(_dir, "bad.csv"), "a,b\n1,x\n");
        File.WriteAllText(Path.Combine(_dir, "m.mtx"), "%%MatrixMarket matrix coordinate integer general\n3 2 2\n1 1 5\n3 2 7\n");
        File.WriteAllText(Path.Combine(_dir, "empty.h5ad"), "");
        File.WriteAllText(Path.Combine(_dir, "onecol.tsv"), "onlyonecolumn\nfoo\n");
        foreach (var ext in new[] { ".bed", ".bim", ".fam" }) File.WriteAllText(Path.Combine(_dir, "g" + ext), "garbage\n");
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
    [TestCase("Exceiver", "--help", 0, "--mask MODE")]
    [TestCase("Exceiver", "--mask dense", 2, "Exceiver: --mask must be one of exclude, additive; got 'dense'")]
    [TestCase("Exceiver", "--epochs 0", 2, "Exceiver: --epochs must be ≥ 1; got 0")]
    [TestCase("Exceiver", "--data /nonexistent.h5ad", 2, "Exceiver: --data: no file or folder '/nonexistent.h5ad'")]
    [TestCase("Exceiver", "--kang /nonexistent.h5ad", 2, "Exceiver: --kang: no file '/nonexistent.h5ad'")]
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
    [TestCase("Inspect", "{dir}/oneCol.tsv", 1, "Inspect: error: oneCol.tsv: no values: a delimited matrix needs a name column and at least one value column")]
    [TestCase("Inspect", "{dir}/edges.tsv --transpose --json --json2", 2, "unknown option '--json2'")]
    [TestCase("Inspect", "{dir}/m.mtx {dir}/m.mtx", 2, "unexpected extra argument")]
    [TestCase("Inspect", "{dir}/x.h5 --transpose", 2, "--transpose applies to MatrixMarket and CSV/TSV input;")]
    [TestCase("SelectionStudy", "--help", 0, "--graph-noise")]
    [TestCase("SelectionStudy", "--seeds one", 2, "SelectionStudy: --seeds expects comma-separated whole numbers ≥ 0; got 'one' in 'one'")]
    [TestCase("SelectionStudy", "--frobnicate", 2, "SelectionStudy: unknown option '--frobnicate'")]
    [TestCase("SelectionStudy", "--methods foo", 2, "--methods: unknown method 'foo'")]
    [TestCase("SelectionStudy", "--epochs -1", 2, "SelectionStudy: --epochs must be ≥ 1; got -1")]
    [TestCase("SelectionStudy", "--budgets -5", 2, "SelectionStudy: --budgets: each value must be ≥ 1; got -5")]
    [TestCase("SelectionStudy", "--budgets 20,10", 2, "SelectionStudy: --budgets must increase; got 20,10")]
    [TestCase("SelectionStudy", "--graph-noise 2", 2, "SelectionStudy: --graph-noise: each value must be from 0 to 1; got 2")]
    [TestCase("SelectionStudy", "--cells 0", 2, "SelectionStudy: --cells must be ≥ 1; got 0")]
    [TestCase("SelectionStudy", "--genes 5", 2, "SelectionStudy: --genes expects P,R (perturbable, read-out genes); got 1 value(s)")]
    [TestCase("SelectionStudy", "--predictor foo", 2, "SelectionStudy: --predictor must be one of ridge, gears; got 'foo'")]
    [TestCase("SelectionStudy", "--dataset {dir}/missing.h5ad --data {dir}", 2, "SelectionStudy: --dataset expects sim, norman, papalexi or an .h5ad file; '{dir}/missing.h5ad' does not exist")]
    [TestCase("SelectionStudy", "--data /nonexistent", 2, "SelectionStudy: --data: folder '/nonexistent' does not exist")]
    [TestCase("SelectionStudy", "--data {dir}", 2, "SelectionStudy: --data: folder '{dir}' lacks gene_info_human_2022-09.tsv.gz")]
    [TestCase("PerturbationPrediction", "--help", 0, "--epochs N")]
    [TestCase("PerturbationPrediction", "--bogus", 2, "PerturbationPrediction: unknown option '--bogus'")]
    [TestCase("PerturbationPrediction", "--epochs abc", 2, "PerturbationPrediction: --epochs expects a whole number ≥ 1; got 'abc'")]
    [TestCase("PerturbationPrediction", "--epochs 0", 2, "PerturbationPrediction: --epochs must be ≥ 1; got 0")]
    [TestCase("PerturbationPrediction", "--seed -1", 2, "PerturbationPrediction: --seed must be ≥ 0; got -1")]
    [TestCase("PerturbationPrediction", "--hidden 0", 2, "PerturbationPrediction: --hidden must be from 1 to 4096; got 0")]
    [TestCase("PerturbationPrediction", "--split random", 2, "PerturbationPrediction: --split must be one of simulation, custom; got 'random'")]
    [TestCase("PerturbationPrediction", "--split custom", 2, "PerturbationPrediction: --split custom needs --split-file FILE")]
    [TestCase("PerturbationPrediction", "--split-file /nonexistent.json", 2, "PerturbationPrediction: --split-file needs --split custom")]
    [TestCase("PerturbationPrediction", "--split custom --split-file /nonexistent.json", 2, "PerturbationPrediction: --split-file: '/nonexistent.json' does not exist")]
    [TestCase("PerturbationPrediction", "--data /nonexistent", 2, "PerturbationPrediction: --data: folder '/nonexistent' does not exist")]
    [TestCase("PerturbationPrediction", "--data {dir}", 2, "PerturbationPrediction: --data: '{dir}/perturbation/norman2019_mcfaline2023_devel.h5ad' does not exist")]
    [TestCase("DietNetworks", "--help", 0, "--embedding LIST")]
    [TestCase("DietNetworks", "", 2, "DietNetworks: give --bed PREFIX (or --raw FILE) with --labels FILE, or --simulate")]
    [TestCase("DietNetworks", "--bogus", 2, "DietNetworks: unknown option '--bogus'")]
    [TestCase("DietNetworks", "--simulate --epochs abc", 2, "DietNetworks: --epochs expects a whole number ≥ 1; got 'abc'")]
    [TestCase("DietNetworks", "--simulate --epochs -1", 2, "DietNetworks: --epochs must be ≥ 1; got -1")]
    [TestCase("DietNetworks", "--simulate --seed abc", 2, "DietNetworks: --seed expects a whole number ≥ 0; got 'abc'")]
    [TestCase("DietNetworks", "--simulate --folds 9", 2, "DietNetworks: --folds must be from 1 to 5; got 9")]
    [TestCase("DietNetworks", "--simulate --embedding foo", 2, "DietNetworks: --embedding: 'foo' is not histogram, random, raw, snp2vec, all or none")]
    [TestCase("DietNetworks", "--simulate --baselines foo", 2, "DietNetworks: --baselines: 'foo' is not basic, pca or none")]
    [TestCase("DietNetworks", "--simulate --lr 0", 2, "DietNetworks: --lr must be > 0; got 0")]
    [TestCase("DietNetworks", "--simulate --bed {dir}/g", 2, "DietNetworks: --simulate makes its own data; leave out --bed, --raw and --labels")]
    [TestCase("DietNetworks", "--bed /nonexistent --labels {dir}/notes.txt", 2, "DietNetworks: --bed: '/nonexistent.bed', '/nonexistent.bim', '/nonexistent.fam' do not exist")]
    [TestCase("DietNetworks", "--bed {dir}/g", 2, "DietNetworks: --labels FILE is required with --bed or --raw")]
    [TestCase("DietNetworks", "--bed {dir}/g --labels {dir}/notes.txt", 1, "DietNetworks: error: {dir}/g.fam: line 1: 1 fields; a .fam line has 6")]
    [TestCase("DietNetworks", "--raw {dir}/notes.txt --labels {dir}/notes.txt", 1, "the header starts 'hello'; a PLINK .raw header 'FID IID PAT MAT SEX PHENOTYPE …' was expected")]
    [TestCase("DietNetworks", "--simulate --out {dir}/notes.txt", 2, "DietNetworks: --out expects a folder to write into;")]
    [TestCase("Quickstart", "--data /nonexistent", 2, "Quickstart: --data: folder '/nonexistent' does not exist")]
    [TestCase("Quickstart", "--data {dir}/notes.txt", 2, "Quickstart: --data expects a folder; '{dir}/notes.txt' is a file")]
    [TestCase("Quickstart", "--budget -3", 2, "Quickstart: --budget must be ≥ 1; got -3")]
    [TestCase("SelectPerturbations", "--graph {dir}/onecol.tsv", 1, "SelectPerturbations: error: '{dir}/onecol.tsv' line 1: one field; an edge-list line is source<TAB>target[<TAB>weight]")]
    [TestCase("SelectPerturbations", "--graph {dir}/empty.txt", 1, "graph has no nodes: check --genes and --graph.")]
    [TestCase("SelectPerturbations", "--graph coexpression --data {dir}/empty.h5ad", 1, "SelectPerturbations: error: {dir}/empty.h5ad: no HDF5 signature found")]
    [TestCase("Exceiver", "--data {dir}/bad.h5ad --kang {dir}/bad.h5ad", 1, "Exceiver: error: {dir}/bad.h5ad: no HDF5 signature found")]
    [TestCase("Exceiver", "--seed -1", 2, "Exceiver: --seed expects a whole number ≥ 0; got '-1'")]
    [TestCase("Inspect", "{dir}/g", 1, "Inspect: error: {dir}/g.fam: line 1: 1 fields; a .fam line has 6")]
    [TestCase("Inspect", "{dir}/empty.h5ad", 1, "no HDF5 signature found")]
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

    /// <summary>
    /// An --out that cannot be written fails at once, before any work: a path under a regular file (cannot be created)
    /// and an existing folder that refuses files (/proc; probed with a small file). Each sample gets the first
    /// arguments it needs to get past its other checks.
    /// </summary>
    [TestCase("Quickstart", "")]
    [TestCase("SparseShiftVae", "")]
    [TestCase("SelectPerturbations", "--graph {dir}/edges.tsv")]
    [TestCase("Exceiver", "--data {dir}/bad.h5ad --kang {dir}/bad.h5ad")]
    [TestCase("SelectionStudy", "--data {shared}/networks")]
    [TestCase("PerturbationPrediction", "--data {shared}")]
    [TestCase("DietNetworks", "--simulate")]
    public void Unwritable_out_is_a_usage_error_before_any_work(string sample, string args)
    {
        if (args.Contains("{shared}"))
        {
            if (TestPaths.SharedRoot is not { } shared) { Assert.Ignore("../shared is absent"); return; }
            args = args.Replace("{shared}", Path.Combine(shared, "data"));
        }
        var (code, _, error) = Run(sample, args + " --out {dir}/notes.txt/sub");
        Assert.That(code, Is.EqualTo(2), error);
        Assert.That(error.TrimEnd(), Does.StartWith($"{sample}: --out: cannot create folder '{_dir}/notes.txt/sub' (").And.Not.Contain("\n"));
        if (!Directory.Exists("/proc/self")) return;
        (code, _, error) = Run(sample, args + " --out /proc");
        Assert.That(code, Is.EqualTo(2), error);
        Assert.That(error.TrimEnd(), Does.StartWith($"{sample}: --out: cannot write into folder '/proc' (").And.Not.Contain("\n"));
    }

    [Test]
    public void A_redirected_stdout_gets_plain_text_without_terminal_escapes()
    {
        var (code, output, error) = Run("SelectPerturbations", "--graph {dir}/edges.tsv --budget 2 --method degree");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("rank").And.Contain("gain (genes newly reached)"), "the table");
        Assert.That(output + error, Does.Not.Contain("\u001b["), "no ANSI escape sequences when redirected");
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
