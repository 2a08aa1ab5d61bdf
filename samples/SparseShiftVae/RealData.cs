using System.Globalization;
using System.Text;
using System.Text.Json;
using SingleCell.Models.Data;
using SingleCell.Models.Data.Formats;
using SingleCell.Models.Samples;
using SingleCell.Models.Svae;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;
using Spectre.Console;

namespace SparseShiftVae;

/// <summary>
/// The variants on real raw counts: Papalexi et al. 2021 (THP-1 CRISPR knockouts, low MOI). Each
/// cell gets its dominant guide (≥ 80 % of its guide UMIs); non-targeting cells are controls; a few
/// knockouts are held out and the I-NLL of the transfer protocol compares the variants.
/// </summary>
internal static class RealData
{
    public static int Run(Options o)
    {
        string dir = o.RealData!;
        var (data, heldOut) = Load(dir, o);
        int p = Math.Min(o.Latent, 10);
        SampleProgress.Info($"Papalexi 2021 low-MOI: {data.NObs:N0} assigned cells × {data.NVars} genes; held out: {string.Join(", ", heldOut)}; p = {p}.");
        var rows = new List<(string Variant, double Inll, double ValElbo, double SecondsPerEpoch, int Epochs)>();
        var output = o.Out is { } outDir ? new OutputFolder(outDir) : null;
        var labels = Enumerable.Range(0, data.NObs).Select(r => data.Obs["target"].GetString(r)).ToArray();
        foreach (var variant in o.Variants)
        {
            var model = SvaeModel.Create(data, new SvaeSetup("target", ControlLabels: ["non-targeting"]), new SvaeOptions
            {
                Variant = variant, LatentDim = p, Seed = o.Seed, KlWarmupEpochs = 10,
                Beta = variant == SvaeVariant.BetaVae ? o.Beta : 1.0,
                SparsityPenalty = variant == SvaeVariant.Svae ? o.SvaeAlpha : variant == SvaeVariant.SvaePlus ? o.PlusAlpha : null,
            });
            var trainCells = Enumerable.Range(0, data.NObs).Except(model.CellsWithLabels(heldOut)).ToArray();
            // Real-data settings of the paper's script: KL warm-up 10 epochs, early stopping on the validation ELBO.
            var (history, transfer) = SampleProgress.Run(add =>
            {
                var train = add($"{Options.Key(variant),-9} train (≤ {o.Epochs} epochs, early stopping)", o.Epochs);
                var h = model.Fit(trainCells, new TrainerOptions { MaxEpochs = o.Epochs, EarlyStopping = true, Seed = o.Seed },
                    SampleProgress.Sync<TrainingProgress>(q => train.Set(q.Epoch + (q.EndOfEpoch ? 1 : 0))), SampleApp.Cancellation);
                train.Done();
                var stage = add($"{Options.Key(variant),-9} transfer + I-NLL", 2 * o.Epochs);
                int done = 0;
                var t = model.TransferToHeldOut(heldOut, new TransferOptions
                {
                    RetrainEpochs = o.Epochs, FineTuneEpochs = o.Epochs, Particles = o.Particles, Seed = o.Seed,
                }, SampleProgress.Sync<TrainingProgress>(q => { if (q.EndOfEpoch) stage.Set(++done); }));
                stage.Done();
                return (h, t);
            });
            if (output is not null)
                Outputs.Variant(output, data, Options.Key(variant), model.GetLatentRepresentation(), null, history, labels, "knockout target");
            var secs = history.SecondsPerEpoch.Order().ToArray();
            rows.Add((Options.Key(variant), transfer.InterventionalNll, history.Last("elbo_validation"), secs[secs.Length / 2], history.Epochs));
            SampleProgress.Info($"{Options.Key(variant)}: I-NLL {transfer.InterventionalNll:F2}");
        }
        if (output is not null)
        {
            data.Write(output.Wrote("real.h5ad", "assigned cells' counts, knockout target (obs 'target') and each variant's latents (obsm X_<variant>)"));
            output.Report();
        }
        if (o.Json)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                foreach (var r in rows)
                {
                    w.WriteStartObject(r.Variant);
                    w.WriteNumber("inll", r.Inll);
                    w.WriteNumber("elbo_validation", r.ValElbo);
                    w.WriteNumber("seconds_per_epoch", r.SecondsPerEpoch);
                    w.WriteNumber("epochs", r.Epochs);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            Console.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
            return 0;
        }
        var table = new Table().Title("Papalexi 2021: interventional NLL of held-out knockouts (lower is better)")
            .AddColumns("variant", "I-NLL", "validation nELBO", "s/epoch", "epochs");
        foreach (var r in rows)
            table.AddRow(r.Variant, r.Inll.ToString("F2", CultureInfo.InvariantCulture), r.ValElbo.ToString("F2", CultureInfo.InvariantCulture),
                r.SecondsPerEpoch.ToString("F3", CultureInfo.InvariantCulture), r.Epochs.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>Counts of the cells with a dominant guide, labelled by the guide's target.</summary>
    internal static (AnnData Data, string[] HeldOut) Load(string dir, Options o)
    {
        string F(string name) => Path.Combine(dir, name);
        var genes = File.ReadAllLines(F("response_genes.tsv")).Where(l => l.Length > 0).ToArray();
        var guides = File.ReadAllLines(F("grna_ids.tsv")).Where(l => l.Length > 0).ToArray();
        var counts = SampleProgress.Status("reading response_matrix.mtx.gz (genes × cells)", () => MatrixMarket.Read(F("response_matrix.mtx.gz")).Transpose());
        var guideCounts = SampleProgress.Status("reading grna_matrix.mtx.gz (guides × cells)", () => MatrixMarket.Read(F("grna_matrix.mtx.gz")).Transpose());
        var assignment = GuideAssignment.AssignDominant(guideCounts, minFraction: 0.8);
        var targets = GuideAssignment.Targets(assignment, guides, GuideAssignment.ReadGuideTargets(F("grna_target_data_frame.tsv")));
        var keep = Enumerable.Range(0, targets.Length).Where(i => targets[i] != null).ToArray();
        var x = counts.SelectRows(keep);
        var data = new AnnData(x, keep.Select(i => $"cell{i}").ToArray(), genes);
        data.Obs.Add(CategoricalColumn.FromValues("target", keep.Select(i => targets[i]).ToArray()));
        // Held out: a seeded choice among the knockouts with at least 100 cells.
        var sizes = keep.GroupBy(i => targets[i]!).Where(g => g.Key != "non-targeting" && g.Count() >= 100).Select(g => g.Key).Order(StringComparer.Ordinal).ToArray();
        var gen = new Generator(o.Seed);
        var heldOut = gen.Permutation(sizes.Length).Take(Math.Min(o.RealHeldOut, sizes.Length)).Select(i => sizes[i]).Order(StringComparer.Ordinal).ToArray();
        return (data, heldOut);
    }
}
