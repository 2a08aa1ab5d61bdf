using SingleCell.Models.Data;

namespace SingleCell.Models.Tests.Samples;

/// <summary>The model samples' --out folders: an .h5ad with latents in obsm, histories as CSV, plots.</summary>
public class SampleOutputTests
{
    [Test]
    public void SparseShiftVae_out_writes_h5ad_with_latents_histories_and_plots()
    {
        string dir = Path.Combine(Path.GetTempPath(), "scm-svae-out-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, error) = SampleCliTests.Run("SparseShiftVae",
                $"--json --epochs 2 --chems 10 --cells-per-chem 30 --genes 45 --latent 3 --particles 5 --kl-warmup 1 --variants vae,svae+ --out \"{dir}\"");
            Assert.That(code, Is.EqualTo(0), error);
            Assert.That(error, Does.Contain("simulation.h5ad"), "it says where each file went");
            var a = AnnData.Read(Path.Combine(dir, "simulation.h5ad"));
            Assert.That(a.Obsm.Keys, Is.SupersetOf(new[] { "X_true", "X_vae", "X_svae_plus" }));
            Assert.That(a.Obsm["X_vae"].Columns, Is.EqualTo(3));
            Assert.That(a.Obsm["X_vae"].Values.Count(float.IsFinite), Is.EqualTo(8 * 30 * 3), "latents for the 8 training interventions × 30 cells");
            var history = File.ReadAllLines(Path.Combine(dir, "history_svae_plus.csv"));
            Assert.That(history[0], Does.StartWith("epoch,").And.Contain("elbo_train"));
            Assert.That(history, Has.Length.EqualTo(3), "a header and two epochs");
            foreach (var plot in new[] { "training_vae", "embedding_svae_plus" })
            {
                Assert.That(PlottingTests.IsPng(Path.Combine(dir, plot + ".png")), plot);
                Assert.That(PlottingTests.ParsesAsSvg(Path.Combine(dir, plot + ".svg")), plot);
            }
            Assert.That(System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json"))).RootElement.GetProperty("vae").GetProperty("epochs").GetInt32(), Is.EqualTo(2));
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    [Test]
    public void SelectionStudy_with_gears_on_norman_leaves_out_the_perturbation_outside_the_go_graph()
    {
        // IER5L has no GO annotation, so GEARS cannot embed it: the study must leave it out of pool and test (and
        // say so) instead of failing when GEARS is asked to predict or featurise it (it did, at the first training).
        string networks = SharedData.Require("networks/gene2go_human_2022-09.tsv.gz");
        SharedData.Require("perturbation/norman2019_mcfaline2023_devel.h5ad");
        string dir = Path.Combine(Path.GetTempPath(), "scm-study-gears-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, error) = SampleCliTests.Run("SelectionStudy",
                $"--dataset norman --predictor gears --methods random,graphreach --seeds 1 --budgets 3,6 --epochs 1 --batch 64 " +
                $"--data \"{Path.GetDirectoryName(networks)}\" --out \"{dir}\" --json");
            Assert.That(code, Is.EqualTo(0), error);
            Assert.That(error, Does.Contain("left out for GEARS (a gene outside the GO graph): IER5L"));
            var json = System.Text.Json.JsonDocument.Parse(output).RootElement;
            foreach (var method in new[] { "random", "graphreach" })
            {
                var m = json.GetProperty("methods").GetProperty(method);
                Assert.That(m.GetProperty("budgets").EnumerateArray().Select(b => b.GetInt32()), Is.EqualTo(new[] { 3, 6 }), method);
                foreach (var perBudget in m.GetProperty("mse_top20").EnumerateArray())
                    foreach (var v in perBudget.EnumerateArray()) Assert.That(double.IsFinite(v.GetDouble()), Is.True, method);
            }
            Assert.That(File.ReadAllText(Path.Combine(dir, "results.csv")), Does.Not.Contain("IER5L"), "never selected or tested");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Test]
    public void SelectionStudy_on_a_simulated_screen_reports_the_ceiling_below_no_change()
    {
        // The ceiling (true expected profiles) is what a perfect predictor scores; on the default simulator (50 cells
        // per perturbation) it must sit well below the no-change baseline, or the study has nothing to measure.
        string networks = SharedData.Require("networks/gene2go_human_2022-09.tsv.gz");
        string dir = Path.Combine(Path.GetTempPath(), "scm-study-sim-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, error) = SampleCliTests.Run("SelectionStudy",
                $"--genes 120,60 --methods graphreach --seeds 1 --budgets 10,20 --data \"{Path.GetDirectoryName(networks)}\" --out \"{dir}\" --json");
            Assert.That(code, Is.EqualTo(0), error);
            var config = System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("config");
            double none = config.GetProperty("no_change_baseline").GetProperty("mse_top20").GetDouble();
            double ceiling = config.GetProperty("ceiling").GetProperty("mse_top20").GetDouble();
            Assert.That(ceiling, Is.LessThan(0.75 * none), $"ceiling {ceiling}, no change {none}");
            Assert.That(config.GetProperty("ceiling").GetProperty("pearson_delta").GetDouble(), Is.GreaterThan(0.2));
            Assert.That(File.ReadAllText(Path.Combine(dir, "summary.md")), Does.Contain("Ceiling (the true expected profile"));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Test]
    public void DietNetworks_out_writes_results_predictions_histories_and_curves()
    {
        string dir = Path.Combine(Path.GetTempPath(), "scm-diet-out-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, error) = SampleCliTests.Run("DietNetworks",
                $"--simulate --sim-snps 300 --sim-per-pop 12 --folds 1 --epochs 3 --baselines basic --json --out \"{dir}\"");
            Assert.That(code, Is.EqualTo(0), error);
            Assert.That(error, Does.Contain("results.csv"), "it says where each file went");
            var json = System.Text.Json.JsonDocument.Parse(output).RootElement;
            double histogramError = json.GetProperty("configs").GetProperty("histogram").GetProperty("per_fold")[0].GetDouble();
            var results = File.ReadAllLines(Path.Combine(dir, "results.csv"));
            Assert.That(results[0], Is.EqualTo("config,fold,test_error_percent,free_params,seconds"));
            Assert.That(results.Skip(1).Select(l => l.Split(',')[0]), Is.EqualTo(new[] { "histogram", "basic" }));
            Assert.That(double.Parse(results[1].Split(',')[2], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(histogramError), "the CSV holds the printed error");
            var predictions = File.ReadAllLines(Path.Combine(dir, "histogram_fold1_predictions.csv"));
            Assert.That(predictions[0], Is.EqualTo("sample,true,predicted"));
            int wrong = predictions.Skip(1).Count(l => l.Split(',')[1] != l.Split(',')[2]);
            Assert.That(100.0 * wrong / (predictions.Length - 1), Is.EqualTo(histogramError).Within(1e-9), "the predictions give the error");
            // The .h5ad: class probabilities per test sample (rows sum to 1), the CSV's labels in obs, argmax = predicted.
            var h5 = SingleCell.Models.Data.AnnData.Read(Path.Combine(dir, "histogram_fold1_predictions.h5ad"));
            Assert.That(h5.NObs, Is.EqualTo(predictions.Length - 1));
            var p = h5.X!.ToDense();
            for (int i = 0; i < h5.NObs; i++)
            {
                var row = p.AsSpan(i * h5.NVars, h5.NVars).ToArray();
                Assert.That(row.Sum(), Is.EqualTo(1).Within(1e-4), $"row {i}");
                var fields = predictions[i + 1].Split(',');
                Assert.That(h5.ObsNames[i], Is.EqualTo(fields[0]));
                Assert.That(h5.Obs["true"].GetString(i), Is.EqualTo(fields[1]));
                Assert.That(h5.Obs["predicted"].GetString(i), Is.EqualTo(fields[2]));
                Assert.That(h5.VarNames[Array.IndexOf(row, row.Max())], Is.EqualTo(fields[2]), "the most probable population is the predicted one");
            }
            var history = File.ReadAllLines(Path.Combine(dir, "history_histogram_fold1.csv"));
            Assert.That(history[0], Does.StartWith("epoch,"));
            Assert.That(history.Length, Is.InRange(2, 4), "a header and at most three epochs");
            foreach (var plot in new[] { "training_histogram_fold1", "training_basic_fold1" })
            {
                Assert.That(PlottingTests.IsPng(Path.Combine(dir, plot + ".png")), plot);
                Assert.That(PlottingTests.ParsesAsSvg(Path.Combine(dir, plot + ".svg")), plot);
            }
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
