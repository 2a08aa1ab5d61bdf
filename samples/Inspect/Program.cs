using System.Text.Json;
using Inspect;
using SingleCell.Models.Data;

// Usage: dotnet run -c Release --project samples/Inspect -- <file> [--json]
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: Inspect <file> [--json]");
    return args.Length == 0 ? 2 : 0;
}
string path = args[0];
bool json = args.Contains("--json");
if (ModelSummary.IsCheckpoint(path)) return ModelSummary.Run(path, json);
try
{
    var (format, a) = Formats.Load(path);
    var s = Summary.Of(a);
    if (json) Console.WriteLine(Summary.ToJson(s));
    else Summary.Print(format, path, a, s);
    return 0;
}
catch (Exception e) when (e is FormatException or IOException or NotSupportedException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

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

        public static void Print(string format, string path, AnnData a, Summary s)
        {
            Console.WriteLine($"{path} ({format})");
            Console.WriteLine($"  {s.NObs:N0} cells × {s.NVars:N0} genes; X: {s.XNnz:N0} non-zeros, sum {s.XSum:G6}");
            if (a.NObs > 0) Console.WriteLine($"  cells: {a.ObsNames[0]} … {a.ObsNames[^1]}");
            if (a.NVars > 0) Console.WriteLine($"  genes: {a.VarNames[0]} … {a.VarNames[^1]}");
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
