using System.Text.Json;
using Inspect;
using SingleCell.Models.Data;
using SingleCell.Models.Samples;

var spec = new SampleArgs("Inspect", "Summarises a single-cell or genotype file: shape, non-zeros, names, obs/var columns, layers, obsm.")
    .Positional("file", "the file (or 10x folder, or PLINK prefix) to summarise")
    .Flag("--json", "print one JSON object (n_obs, n_vars, x_sum, x_nnz, names, columns, categories) instead of text")
    .Flag("--transpose", "MatrixMarket and CSV/TSV only: the file is genes × cells (as 10x and Seurat write), so flip it")
    .Example("dotnet run -c Release --project samples/Inspect -- ../shared/data/tenx/filtered_feature_bc_matrix.h5")
    .Example("dotnet run -c Release --project samples/Inspect -- counts.mtx.gz --transpose --json");
spec.Notes = "formats (chosen by name):\n" + string.Join("\n", Formats.All.Select(f => $"  {f.Name,-22}{f.Pattern}; rows are {f.Rows}, columns {f.Columns}"))
    + "\n  model checkpoint      *.safetensors: model type, layout version, stored values, genes, options";
return SampleApp.Run(spec, args, a =>
{
    string path = a.PositionalValue!;
    bool transpose = a.Has("--transpose");
    if (!File.Exists(path) && !Directory.Exists(path) && !File.Exists(path + ".bed"))
        throw new UsageException($"file '{path}' does not exist");
    if (ModelSummary.IsCheckpoint(path)) return ModelSummary.Run(path, a.Has("--json"));
    var format = Formats.Find(path)
        ?? throw new UsageException($"no reader for '{path}'; supported: {string.Join(", ", Formats.All.Select(f => f.Name))} (--help lists the file names)");
    if (transpose && !format.CanTranspose)
        throw new UsageException($"--transpose applies to MatrixMarket and CSV/TSV input; '{path}' is {format.Name}");
    var data = format.Load(path, transpose);
    var s = Summary.Of(data);
    if (a.Has("--json")) Console.WriteLine(Summary.ToJson(s));
    else Summary.Print(format, path, data, s);
    return 0;
});

namespace Inspect
{
    internal sealed record Summary(int NObs, int NVars, double XSum, long XNnz, double Row0Sum, double Col0Sum)
    {
        public static Summary Of(AnnData a)
        {
            double sum = 0, row0 = 0, col0 = 0;
            long nnz = 0;
            if (a.X is { } x)
            {
                for (int r = 0; r < x.Rows; r++)
                {
                    var idx = x.RowIndices(r);
                    var val = x.RowValues(r);
                    for (int k = 0; k < val.Length; k++)
                    {
                        if (val[k] == 0f) continue;
                        nnz++;
                        sum += val[k];
                        if (r == 0) row0 += val[k];
                        if (idx[k] == 0) col0 += val[k];
                    }
                }
            }
            return new Summary(a.NObs, a.NVars, sum, nnz, row0, col0) { Data = a };
        }

        public AnnData Data { get; private init; } = null!;

        public static string ToJson(Summary s)
        {
            var a = s.Data;
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                w.WriteNumber("n_obs", s.NObs);
                w.WriteNumber("n_vars", s.NVars);
                WriteFinite(w, "x_sum", s.XSum);
                w.WriteNumber("x_nnz", s.XNnz);
                w.WriteString("obs_names_first", a.NObs > 0 ? a.ObsNames[0] : null);
                w.WriteString("obs_names_last", a.NObs > 0 ? a.ObsNames[^1] : null);
                w.WriteString("var_names_first", a.NVars > 0 ? a.VarNames[0] : null);
                w.WriteString("var_names_last", a.NVars > 0 ? a.VarNames[^1] : null);
                WriteArray(w, "obs_columns", a.Obs.ColumnNames);
                WriteArray(w, "var_columns", a.Var.ColumnNames);
                w.WriteStartObject("categorical");
                foreach (var c in a.Obs.Columns.OfType<CategoricalColumn>()) WriteArray(w, c.Name, c.Categories);
                w.WriteEndObject();
                WriteFinite(w, "row0_sum", s.Row0Sum);
                WriteFinite(w, "col0_sum", s.Col0Sum);
                w.WriteEndObject();
            }
            return System.Text.Encoding.UTF8.GetString(ms.ToArray());
        }

        public static void Print(Format format, string path, AnnData a, Summary s)
        {
            Console.WriteLine($"{path} ({format.Name})");
            Console.WriteLine($"  {s.NObs:N0} {format.Rows} × {s.NVars:N0} {format.Columns}; X: {s.XNnz:N0} non-zeros, sum {s.XSum:G6}");
            if (a.NObs > 0) Console.WriteLine($"  {format.Rows}: {a.ObsNames[0]} … {a.ObsNames[^1]}");
            if (a.NVars > 0) Console.WriteLine($"  {format.Columns}: {a.VarNames[0]} … {a.VarNames[^1]}");
            Console.WriteLine($"  obs columns: {string.Join(", ", a.Obs.Columns.Select(Describe))}");
            Console.WriteLine($"  var columns: {string.Join(", ", a.Var.Columns.Select(Describe))}");
            if (a.Layers.Count > 0) Console.WriteLine($"  layers: {string.Join(", ", a.Layers.Keys)}");
            if (a.Obsm.Count > 0) Console.WriteLine($"  obsm: {string.Join(", ", a.Obsm.Select(kv => $"{kv.Key} ({kv.Value.Columns})"))}");
            if (a.Obsp.Count > 0) Console.WriteLine($"  obsp: {string.Join(", ", a.Obsp.Keys)}");
            if (a.Uns.Count > 0) Console.WriteLine($"  uns: {string.Join(", ", a.Uns.Keys)}");
            if (a.Raw is { } raw) Console.WriteLine($"  raw: {raw.X.Rows:N0} × {raw.X.Columns:N0}, {raw.X.NonZeroCount:N0} non-zeros");
        }

        private static string Describe(DataColumn c) => c switch
        {
            CategoricalColumn cat => $"{c.Name} [{cat.Categories.Length} categories{(cat.Ordered ? ", ordered" : "")}]",
            _ => $"{c.Name} ({c.GetType().Name.Replace("Column", "").ToLowerInvariant()})",
        };

        /// <summary>JSON has no NaN or ±Infinity: such a figure is written as null, with a warning on stderr.</summary>
        private static void WriteFinite(Utf8JsonWriter w, string name, double value)
        {
            if (double.IsFinite(value))
            {
                w.WriteNumber(name, value);
                return;
            }
            Console.Error.WriteLine($"warning: {name} is {(double.IsNaN(value) ? "NaN" : value > 0 ? "+Infinity" : "-Infinity")}; written as null.");
            w.WriteNull(name);
        }

        private static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<string> values)
        {
            w.WriteStartArray(name);
            foreach (var v in values) w.WriteStringValue(v);
            w.WriteEndArray();
        }
    }
}
