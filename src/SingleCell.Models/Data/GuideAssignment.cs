namespace SingleCell.Models.Data;

/// <summary>Low-MOI guide assignment: each cell's dominant guide when it holds enough of the cell's guide UMIs.</summary>
public static class GuideAssignment
{
    /// <summary>Assigns each cell its top guide when that guide has at least <paramref name="minFraction"/> of the cell's guide UMIs.</summary>
    /// <param name="guideCounts">Cells × guides UMI counts.</param>
    /// <param name="minFraction">Minimum fraction of the cell's guide UMIs held by the top guide (e.g. 0.8).</param>
    /// <param name="minUmis">Minimum UMIs of the top guide.</param>
    /// <returns>Per cell the guide index, or -1 when unassigned (no guide UMIs, below threshold, or a tie for top).</returns>
    public static int[] AssignDominant(CellMatrix guideCounts, double minFraction = 0.8, double minUmis = 1)
    {
        ArgumentNullException.ThrowIfNull(guideCounts);
        var result = new int[guideCounts.Rows];
        for (int r = 0; r < guideCounts.Rows; r++)
        {
            var idx = guideCounts.RowIndices(r);
            var val = guideCounts.RowValues(r);
            double total = 0, best = 0;
            int bestIdx = -1;
            bool tie = false;
            for (int k = 0; k < idx.Length; k++)
            {
                total += val[k];
                if (val[k] > best) { best = val[k]; bestIdx = idx[k]; tie = false; }
                else if (val[k] == best && best > 0) tie = true;
            }
            result[r] = bestIdx >= 0 && !tie && best >= minUmis && best >= minFraction * total ? bestIdx : -1;
        }
        return result;
    }

    /// <summary>Maps assigned guide indices to target names (null for unassigned).</summary>
    /// <param name="assignment">Per cell guide index or -1.</param>
    /// <param name="guideIds">Guide ids by index.</param>
    /// <param name="guideToTarget">Guide id → target gene (e.g. <c>non-targeting</c>).</param>
    /// <exception cref="KeyNotFoundException">An assigned guide has no target.</exception>
    public static string?[] Targets(IReadOnlyList<int> assignment, IReadOnlyList<string> guideIds, IReadOnlyDictionary<string, string> guideToTarget)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var result = new string?[assignment.Count];
        for (int i = 0; i < result.Length; i++)
            result[i] = assignment[i] < 0 ? null
                : guideToTarget.TryGetValue(guideIds[assignment[i]], out var t) ? t
                : throw new KeyNotFoundException($"Guide '{guideIds[assignment[i]]}' has no target.");
        return result;
    }

    /// <summary>Reads a two-column guide → target table with a header row (tab separated).</summary>
    /// <param name="path">The file path.</param>
    public static Dictionary<string, string> ReadGuideTargets(string path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split('\t');
            if (f.Length >= 2) map[f[0]] = f[1];
        }
        return map;
    }
}
