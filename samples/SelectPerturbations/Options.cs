using System.Globalization;

namespace SelectPerturbations;

/// <summary>Command-line options (parsed by hand: a handful of flags).</summary>
internal sealed record Options(string Graph, string? Genes, int Budget, string Method, int Hops, int Seed, int MinScore, string? DataDir, bool Json, bool Help)
{
    public const string Usage = """
        usage: SelectPerturbations --graph go|string|<edge file> [--genes <list file>] --budget K
                                   --method graphreach|facility|logdet|random|degree
                                   [--hops L] [--seed S] [--min-score 700] [--data <networks dir>] [--json]
          --graph    go: GEARS GO-Jaccard graph from gene2go (+ gene_info); string: STRING v12 file;
                     otherwise a TSV edge list "source<TAB>target[<TAB>weight]".
          --genes    a text file with one gene symbol per line (perturbation labels like SET+KLF1 are
                     split; 'control' and 'ctrl' are skipped), or an .h5ad file (perturbed genes from obs
                     'perturbation'/'condition' plus the var genes); restricts the graph to these genes.
          --data     folder with the network files (default: ../shared/data/networks beside the checkout).
        """;

    public static Options Parse(string[] args)
    {
        string graph = "go", method = "graphreach";
        string? genes = null, data = null;
        int budget = 10, hops = 1, seed = 0, minScore = 700;
        bool json = false, help = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            int NextInt()
            {
                string v = Next();
                return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new ArgumentException($"{a} expects an integer; got '{v}'.");
            }
            switch (a)
            {
                case "--graph": graph = Next(); break;
                case "--genes": genes = Next(); break;
                case "--budget": budget = NextInt(); break;
                case "--method": method = Next().ToLowerInvariant(); break;
                case "--hops": hops = NextInt(); break;
                case "--seed": seed = NextInt(); break;
                case "--min-score": minScore = NextInt(); break;
                case "--data": data = Next(); break;
                case "--json": json = true; break;
                case "-h" or "--help": help = true; break;
                default: throw new ArgumentException($"Unknown argument '{a}'.");
            }
        }
        if (budget < 0) throw new ArgumentException($"--budget must be ≥ 0; got {budget}.");
        if (hops < 0) throw new ArgumentException($"--hops must be ≥ 0; got {hops}.");
        if (method is not ("graphreach" or "facility" or "logdet" or "random" or "degree"))
            throw new ArgumentException($"--method must be graphreach, facility, logdet, random or degree; got '{method}'.");
        return new Options(graph, genes, budget, method, hops, seed, minScore, data, json, help);
    }
}
