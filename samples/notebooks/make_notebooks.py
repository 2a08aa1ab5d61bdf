#!/usr/bin/env python3
"""Writes the sample notebooks (.ipynb, .NET Interactive C# kernel) from the cell lists below.
Edit a notebook in VS Code (Polyglot Notebooks) or here, then run this script; the tests run every code cell."""
import json, pathlib

def notebook(cells):
    out = []
    for kind, text in cells:
        lines = text.strip("\n").split("\n")
        source = [l + "\n" for l in lines[:-1]] + [lines[-1]]
        if kind == "md":
            out.append({"cell_type": "markdown", "metadata": {}, "source": source})
        else:
            out.append({"cell_type": "code", "execution_count": None,
                        "metadata": {"dotnet_interactive": {"language": "csharp"}, "polyglot_notebook": {"kernelName": "csharp"}},
                        "outputs": [], "source": source})
    return {"cells": out, "metadata": {
        "kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
        "language_info": {"name": "polyglot-notebook"},
        "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}]}}},
        "nbformat": 4, "nbformat_minor": 5}

REFS = '''
#r "nuget: SingleCell.Models, 0.1.0"
#r "nuget: SingleCell.Models.Plotting, 0.1.0"
'''

data_io = [
("md", """
# Reading, transforming and writing single-cell data

This notebook builds a small count matrix, stores it as AnnData (`.h5ad`, which scanpy opens), normalises it,
computes a PCA, attaches the PCA as an embedding, exports obs and the embedding as Arrow IPC files (for pandas,
polars and R), and draws the embedding. It runs in a few seconds; the tests run every cell.
"""),
("code", REFS),
("code", """
using System;
using System.IO;
using System.Linq;
using SingleCell.Models.Data;
using SingleCell.Models.Plotting;

var rng = new Random(0);
int cells = 300, genes = 60;
var dense = new float[cells * genes];
for (int i = 0; i < dense.Length; i++)
{
    int cell = i / genes, gene = i % genes;
    double rate = (cell % 3 == 0 && gene < 10) ? 0.8 : 0.15;      // one group of cells expresses genes 0-9 more
    dense[i] = rng.NextDouble() < rate ? rng.Next(1, 20) : 0;
}
var adata = new AnnData(CellMatrix.FromDense(dense, cells, genes),
    Enumerable.Range(0, cells).Select(i => $"cell{i}").ToArray(),
    Enumerable.Range(0, genes).Select(i => $"gene{i}").ToArray());
adata.Obs.Add(CategoricalColumn.FromValues("group", Enumerable.Range(0, cells).Select(i => i % 3 == 0 ? "high" : "low").ToArray()));
$"{adata.NObs} cells × {adata.NVars} genes, {adata.X!.NonZeroCount} non-zeros"
"""),
("md", "## Write and read `.h5ad`"),
("code", """
var folder = Path.Combine(Path.GetTempPath(), "singlecell-notebooks");
Directory.CreateDirectory(folder);
var path = Path.Combine(folder, "counts.h5ad");
adata.Write(path);
var back = AnnData.Read(path);
if (back.NObs != cells || back.X!.NonZeroCount != adata.X!.NonZeroCount) throw new Exception("the round trip lost data");
$"{path}: {new FileInfo(path).Length / 1024} KiB, obs columns {string.Join(", ", back.Obs.ColumnNames)}"
"""),
("md", "## Normalise, log-transform and PCA; attach the PCA as `obsm['X_pca']`"),
("code", """
var logNormalised = Preprocessing.Log1p(Preprocessing.NormalizeTotal(adata.X!, 1e4));
adata.Layers["log1p"] = logNormalised;
var pca = Pca.Compute(logNormalised, components: 5, seed: 0);
adata.AddEmbedding("X_pca", new DenseMatrix(cells, 5, pca.Scores.Select(v => (float)v).ToArray()));
$"variance of the first components: {string.Join(", ", pca.Variance.Take(3).Select(v => v.ToString("F2")))}"
"""),
("md", "## Export obs and the embedding as Arrow IPC (`pd.read_feather`, `pl.read_ipc`, `arrow::read_feather`)"),
("code", """
AnnDataArrow.WriteObs(adata, Path.Combine(folder, "obs.arrow"));
AnnDataArrow.WriteObsm(adata, "X_pca", Path.Combine(folder, "X_pca.arrow"));
var table = AnnDataArrow.ReadFrame(Path.Combine(folder, "obs.arrow"));
var group = (CategoricalColumn)table.Frame["group"];
$"obs.arrow: {table.Frame.RowCount} rows; 'group' is dictionary-encoded with categories {string.Join(", ", group.Categories)}"
"""),
("md", "## Plot the embedding coloured by group"),
("code", """
var plot = Plots.Embedding(adata.Obsm["X_pca"], Enumerable.Range(0, cells).Select(i => adata.Obs["group"].GetString(i)).ToArray(),
    "PCA of log-normalised counts", "PC1", "PC2");
var files = PlotFiles.SavePngAndSvg(plot, Path.Combine(folder, "pca"));
string.Join(", ", files)
"""),
]

svae = [
("md", """
# Sparse mechanism shift VAE on a simulated screen

A small version of the simulation of Lopez et al. (CLeaR 2023): interventions shift a sparse set of latent
variables. We train the sVAE+ and a plain VAE for a few epochs, compare how well each recovers the true latents
(mean correlation coefficient, MCC), and keep the latents in the AnnData object. Small sizes, so it runs in
seconds; `samples/SparseShiftVae` runs the paper's full benchmark.
"""),
("code", REFS),
("code", """
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SingleCell.Models.Data;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Plotting;
using SingleCell.Models.Svae;
using SingleCell.Models.Training;

var sim = SparseShiftSimulation.Generate(new SparseShiftSimulationOptions
{
    Interventions = 12, CellsPerIntervention = 60, Genes = 40, LatentDimensions = 3, FirstHeldOutIntervention = 10, Seed = 7,
});
$"{sim.CellCount} cells × {sim.Data.NVars} genes; {sim.TrainCells.Length} training cells; held-out interventions: {string.Join(", ", sim.HeldOutInterventions)}"
"""),
("code", """
var results = new Dictionary<string, double>();
TrainingHistory? lastHistory = null;
foreach (var variant in new[] { SvaeVariant.Vae, SvaeVariant.SvaePlus })
{
    var model = SvaeModel.Create(sim.Data, new SvaeSetup(SparseShiftSimulation.LabelKey), new SvaeOptions { Variant = variant, LatentDim = 3, Seed = 1, KlWarmupEpochs = 2 });
    lastHistory = model.Fit(sim.TrainCells, new TrainerOptions { MaxEpochs = 8, LearningRate = 3e-3, Seed = 1 });
    var latent = model.GetLatentRepresentation(cells: sim.TrainCells);
    sim.Data.AddEmbedding($"X_{model.Name}", latent, sim.TrainCells);
    var zHat = RowMajor.ToMatrix(latent.Values, latent.Columns);
    results[model.Name] = LatentMetrics.Mcc(RowMajor.SelectRows(sim.Latents, sim.TrainCells), zHat);
}
string.Join("; ", results.Select(kv => $"{kv.Key}: MCC {kv.Value:F2}"))
"""),
("md", "## Training curves of the last model, and the latents coloured by intervention"),
("code", """
var folder = Path.Combine(Path.GetTempPath(), "singlecell-notebooks");
Directory.CreateDirectory(folder);
PlotFiles.Save(Plots.TrainingCurves(lastHistory!), Path.Combine(folder, "svae-training.svg"));
var labels = sim.TrainCells.Select(c => sim.Data.Obs[SparseShiftSimulation.LabelKey].GetString(c)).ToArray();
var z = sim.Data.Obsm.Keys.Last();
var rows = sim.TrainCells.SelectMany(c => sim.Data.Obsm[z].Row(c).ToArray()).ToArray();
PlotFiles.Save(Plots.Embedding(new DenseMatrix(sim.TrainCells.Length, 3, rows), labels, $"{z}: z1 and z2", "z1", "z2"), Path.Combine(folder, "svae-latents.png"));
$"obsm keys: {string.Join(", ", sim.Data.Obsm.Keys)}; plots in {folder}"
"""),
("md", "## Save the data with the latents for scanpy"),
("code", """
var h5ad = Path.Combine(folder, "svae-screen.h5ad");
sim.Data.Write(h5ad);
var reread = AnnData.Read(h5ad);
if (!reread.Obsm.ContainsKey("X_sVAE+")) throw new Exception("latents missing after the round trip");
$"{h5ad}: obsm {string.Join(", ", reread.Obsm.Keys)}"
"""),
]

gears = [
("md", """
# Predicting unseen perturbations with GEARS

GEARS (Roohani et al., Nat. Biotechnol. 2024) predicts the expression after a perturbation — a single gene or a
pair — including genes never perturbed in training, by passing messages over a gene graph. This notebook builds a
tiny synthetic screen (16 genes; perturbing gene k raises genes k and k+1), trains GEARS for a few epochs, scores it
against the no-perturbation and additive baselines on held-out singles and pairs, stores the predictions as layers
of an `.h5ad`, and plots predicted against observed change. It runs in seconds; on real data use
`samples/PerturbationPrediction` (the Norman 2019 subset and the GO graph).
"""),
("code", REFS),
("code", """
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SingleCell.Models.Data;
using SingleCell.Models.Gears;
using SingleCell.Models.Graphs;
using SingleCell.Models.Plotting;
using SingleCell.Models.Training;

const int g = 16;
var genes = Enumerable.Range(0, g).Select(i => $"G{i}").ToArray();
var conditions = new List<string> { "ctrl" };
for (int k = 0; k < 8; k++) conditions.Add($"G{k}+ctrl");
for (int k = 0; k < 7; k++) conditions.Add($"G{k}+G{k + 1}");
conditions.Add("G0+G4");
var rng = new Random(3);
var values = new List<float>();
var labels = new List<string>();
foreach (var c in conditions)
{
    var hit = c == "ctrl" ? Array.Empty<int>() : c.Split('+').Where(x => x != "ctrl").Select(x => int.Parse(x[1..])).ToArray();
    for (int i = 0; i < (c == "ctrl" ? 160 : 40); i++)
    {
        for (int j = 0; j < g; j++)
        {
            double mu = 1.0 + 0.1 * (j % 3);
            foreach (int k in hit) { if (j == k) mu += 1.5; if (j == (k + 1) % g) mu += 0.8; }
            values.Add((float)Math.Max(0, mu + 0.15 * (rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5)));
        }
        labels.Add(c);
    }
}
var data = new AnnData(CellMatrix.FromDense(values.ToArray(), labels.Count, g), labels.Select((_, i) => $"cell{i}").ToArray(), genes);
data.Obs.Add(CategoricalColumn.FromValues("condition", labels));
// The gene graph GEARS propagates over: here a ring with self-loops (GoGraphBuilder builds GEARS' GO graph from gene2go).
var s = new List<int>(); var t = new List<int>(); var w = new List<float>();
for (int i = 0; i < g; i++) { s.Add(i); t.Add(i); w.Add(1f); s.Add(i); t.Add((i + 1) % g); w.Add(0.5f); s.Add((i + 1) % g); t.Add(i); w.Add(0.5f); }
var graph = GeneGraph.FromEdges(genes, s.ToArray(), t.ToArray(), w.ToArray());
$"{data.NObs} cells × {data.NVars} genes, {conditions.Count} conditions; graph {graph.NodeCount} genes, {graph.EdgeCount} edges"
"""),
("md", "## Train on some perturbations, hold out others"),
("code", """
var split = new GearsSplit(
    ["ctrl", "G0+ctrl", "G1+ctrl", "G2+ctrl", "G3+ctrl", "G4+ctrl", "G5+ctrl", "G0+G1", "G1+G2", "G3+G4", "G4+G5"],
    ["G2+G3", "G6+ctrl"],
    new Dictionary<string, IReadOnlyList<string>> { ["unseen_single"] = ["G7+ctrl"], ["combo_seen1"] = ["G5+G6"], ["combo_seen2"] = ["G0+G4"] });
var model = GearsModel.Create(data, new GearsSetup("condition"), graph, split, new GearsOptions { Hidden = 16, Seed = 2 });
var history = model.Fit(new TrainerOptions { MaxEpochs = 3, LearningRate = 1e-2, BatchSize = 8 });
var gearsScores = model.EvaluateSplit();
var none = model.EvaluateSplit(GearsBaselines.NoPerturbation(model));
var additive = model.EvaluateSplit(GearsBaselines.Additive(model));
string.Join("; ", gearsScores.Keys.Select(k => $"{k}: MSE GEARS {gearsScores[k]["mse"]:F4}, no perturbation {none[k]["mse"]:F4}, additive {additive[k]["mse"]:F4}"))
"""),
("md", "## Predictions as `.h5ad` layers, and predicted against observed change"),
("code", """
var test = split.Test.Values.SelectMany(v => v).ToArray();
var prediction = model.Predict(test);
var predicted = new AnnData(CellMatrix.FromDense(prediction.Expression.Values, test.Length, g), test, prediction.Genes.ToArray());
predicted.AddLayer("change", prediction.Change);
var folder = Path.Combine(Path.GetTempPath(), "singlecell-notebooks");
Directory.CreateDirectory(folder);
predicted.Write(Path.Combine(folder, "gears-predictions.h5ad"));

// Observed change: the mean of each held-out perturbation's cells minus the control mean.
double[] Mean(string condition) => Enumerable.Range(0, g).Select(j =>
    Enumerable.Range(0, data.NObs).Where(r => labels[r] == condition).Average(r => (double)values[r * g + j])).ToArray();
var control = Mean("ctrl");
var observed = test.SelectMany(p => Mean(p).Select((m, j) => m - control[j])).ToArray();
PlotFiles.Save(Plots.PredictedVsObserved(observed, prediction.Change.Values.Select(v => (double)v).ToArray(), "GEARS on held-out perturbations", "change against control"),
    Path.Combine(folder, "gears-predicted-vs-observed.png"));
PlotFiles.Save(Plots.TrainingCurves(history), Path.Combine(folder, "gears-training.svg"));
$"layers: {string.Join(", ", predicted.Layers.Keys)}; plots in {folder}"
"""),
]

exceiver = [
("md", """
# Exceiver: a transformer over genes, pretrained on counts

The Exceiver (Connell et al. 2022) learns cell and gene embeddings by predicting masked expression values. This
notebook pretrains a tiny Exceiver on synthetic counts with two cell types, stores the cell embeddings in `obsm`,
fine-tunes it to classify the cell types, and plots the training curve and the embedding. It runs in seconds; on
real data use `samples/Exceiver` (Kang 2018, PBMC).
"""),
("code", REFS),
("code", """
using System;
using System.IO;
using System.Linq;
using SingleCell.Models.Data;
using SingleCell.Models.Exceiver;
using SingleCell.Models.Plotting;
using SingleCell.Models.Training;

// 120 cells × 24 genes: type A expresses the first half of the genes highly, type B the second half.
var rng = new Random(1);
int cells = 120, genes = 24;
int Poisson(double rate) { double l = Math.Exp(-rate), p = 1; int k = 0; do { k++; p *= rng.NextDouble(); } while (p > l); return k - 1; }
var dense = new float[cells * genes];
for (int c = 0; c < cells; c++)
    for (int g = 0; g < genes; g++)
        dense[c * genes + g] = Poisson(((g < genes / 2) == (c % 2 == 0) ? 3.0 : 0.3) * (1 + (g % 3) / 2.0));
var data = new AnnData(CellMatrix.FromDense(dense, cells, genes),
    Enumerable.Range(0, cells).Select(i => $"cell{i}").ToArray(), Enumerable.Range(0, genes).Select(i => $"g{i}").ToArray());
data.Obs.Add(CategoricalColumn.FromValues("cell_type", Enumerable.Range(0, cells).Select(i => i % 2 == 0 ? "A" : "B").ToArray()));
$"{data.NObs} cells × {data.NVars} genes"
"""),
("md", "## Pretrain (masked-value MSE), then keep the cell embeddings"),
("code", """
var options = new ExceiverOptions { Latents = 8, Layers = 1, FeedForward = 32, Seed = 5 };
var model = ExceiverModel.Create(data, options: options);
var quick = new TrainerOptions { MaxEpochs = 8, BatchSize = 16, LearningRate = 3e-3, Scheduler = SchedulerOptions.WarmupThenConstant(5, 0.2), EarlyStopping = false };
var history = model.Fit(quick);
data.Obsm["X_exceiver_mean"] = model.GetLatentRepresentation(data, CellEmbedding.Mean);
var mse = history.Series("mse_train");
$"masked-value MSE {mse[0]:F3} → {mse[^1]:F3}; obsm X_exceiver_mean has {data.Obsm["X_exceiver_mean"].Columns} columns"
"""),
("md", "## Fine-tune to classify the cell types"),
("code", """
var classifier = ExceiverModel.FineTune(model, data, "cell_type");
classifier.Fit(quick with { MaxEpochs = 15, BatchSize = 8 });
var accuracy = classifier.Evaluate(data)["accuracy"];
$"classes {string.Join(", ", classifier.Classes)}; accuracy on the cells it was tuned on: {accuracy:F2}"
"""),
("md", "## Plots and the `.h5ad`"),
("code", """
var folder = Path.Combine(Path.GetTempPath(), "singlecell-notebooks");
Directory.CreateDirectory(folder);
PlotFiles.Save(Plots.TrainingCurves(history), Path.Combine(folder, "exceiver-training.svg"));
var types = Enumerable.Range(0, cells).Select(i => data.Obs["cell_type"].GetString(i)).ToArray();
PlotFiles.Save(Plots.Embedding(data.Obsm["X_exceiver_mean"], types, "Exceiver mean cell embedding"), Path.Combine(folder, "exceiver-embedding.png"));
data.Write(Path.Combine(folder, "exceiver-cells.h5ad"));
$"plots and exceiver-cells.h5ad in {folder}"
"""),
]

dietnet = [
("md", """
# Diet Networks: ancestry from genotypes

Diet Networks (Romero et al., ICLR 2017) classify samples from many SNPs with few free parameters: an auxiliary
network predicts the first layer's weights from a per-SNP embedding (here the class histogram). This notebook
simulates hierarchical Balding–Nichols genotypes, trains a Diet Network on one of the authors' 5 folds, compares it
with PCA + logistic regression, and plots the training curves. It runs in seconds; on PLINK files use
`samples/DietNetworks --bed PREFIX --labels FILE`.
"""),
("code", REFS),
("code", """
using System;
using System.IO;
using System.Linq;
using SingleCell.Models.Data;
using SingleCell.Models.DietNetworks;
using SingleCell.Models.Plotting;

var sim = BaldingNicholsSimulator.Simulate(new BaldingNicholsOptions { Snps = 500, SamplesPerPopulation = 20, Seed = 1 });
var classes = sim.Populations.Distinct().Order(StringComparer.Ordinal).ToArray();
var labels = sim.Populations.Select(p => Array.BinarySearch(classes, p, StringComparer.Ordinal)).ToArray();
var split = new CrossValidationFolds(sim.Genotypes.Samples, 5, 23).Split(0);
$"{sim.Genotypes.Samples} samples × {sim.Genotypes.Snps} SNPs, {classes.Length} populations; fold 1: {split.Train.Length} train, {split.Validation.Length} validation, {split.Test.Length} test"
"""),
("md", "## Train, and compare with PCA + logistic regression on the same fold"),
("code", """
var model = DietNetworkModel.Create(sim.Genotypes, sim.SnpNames, classes, labels, split, new DietNetworkOptions { Embedding = DietEmbedding.Histogram, Seed = 1 });
var history = model.Fit(DietNetworkModel.DefaultTrainerOptions with { MaxEpochs = 10, Seed = 1 });
var truth = split.Test.Select(r => labels[r]).ToArray();
double Error(int[] predicted) => 100.0 * truth.Zip(predicted).Count(t => t.First != t.Second) / truth.Length;
var diet = Error(model.PredictTestClasses());
var probabilities = PcaLogisticRegression.FitPredict(sim.Genotypes, labels, classes.Length, split, 20);
var pca = Error(Enumerable.Range(0, probabilities.Rows).Select(i => { var row = probabilities.Row(i).ToArray(); return Array.IndexOf(row, row.Max()); }).ToArray());
$"test error: Diet Network {diet:F1} % ({model.ParameterCount:N0} free parameters), PCA + logistic regression {pca:F1} %"
"""),
("code", """
var folder = Path.Combine(Path.GetTempPath(), "singlecell-notebooks");
Directory.CreateDirectory(folder);
PlotFiles.Save(Plots.TrainingCurves(history), Path.Combine(folder, "dietnet-training.svg"));
$"training curves in {folder}"
"""),
]

here = pathlib.Path(__file__).parent
for name, cells in [("data-io.ipynb", data_io), ("svae.ipynb", svae), ("gears.ipynb", gears), ("exceiver.ipynb", exceiver), ("diet-networks.ipynb", dietnet)]:
    (here / name).write_text(json.dumps(notebook(cells), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print("wrote", name)
