namespace SingleCell.Models.Data;

/// <summary>One mini-batch: dense rows of the selected cells and optional per-cell obs values.</summary>
/// <param name="Cells">Cell indices in batch order.</param>
/// <param name="X">Row-major <c>Cells.Length × genes</c> values (a buffer reused between batches).</param>
/// <param name="Obs">Per requested obs column, the values of the batch cells.</param>
public sealed record MiniBatch(int[] Cells, float[] X, IReadOnlyDictionary<string, float[]> Obs);

/// <summary>Seeded mini-batch iteration over a subset of cells; only the batch rows are densified.</summary>
public sealed class MiniBatchLoader
{
    private readonly CellMatrix _x;
    private readonly int[] _cells;
    private readonly IReadOnlyDictionary<string, float[]> _obs;
    private readonly Random _rng;

    /// <summary>Creates a loader.</summary>
    /// <param name="x">Cells × genes matrix.</param>
    /// <param name="cells">The cells to iterate (e.g. a split's training cells).</param>
    /// <param name="batchSize">Cells per batch.</param>
    /// <param name="seed">Seed of the per-epoch shuffle; null keeps the given order.</param>
    /// <param name="dropLast">Drop a final incomplete batch.</param>
    /// <param name="obs">Optional per-cell numeric columns (full length, indexed by cell) to gather per batch.</param>
    public MiniBatchLoader(CellMatrix x, IReadOnlyList<int> cells, int batchSize, int? seed = 0, bool dropLast = false, IReadOnlyDictionary<string, float[]>? obs = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _x = x;
        _cells = cells.ToArray();
        BatchSize = batchSize;
        DropLast = dropLast;
        Shuffle = seed.HasValue;
        _rng = new Random(seed ?? 0);
        _obs = obs ?? new Dictionary<string, float[]>();
    }

    /// <summary>Cells per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether the last incomplete batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>Whether each epoch is shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>Number of batches per epoch.</summary>
    public int BatchCount => DropLast ? _cells.Length / BatchSize : (_cells.Length + BatchSize - 1) / BatchSize;

    /// <summary>The batches of one epoch (a new shuffle per call). The <see cref="MiniBatch.X"/> buffer of a full batch is reused.</summary>
    /// <param name="cancellationToken">Cancels the iteration.</param>
    public IEnumerable<MiniBatch> Epoch(CancellationToken cancellationToken = default)
    {
        var order = (int[])_cells.Clone();
        if (Shuffle) _rng.Shuffle(order);
        var buffer = new float[BatchSize * _x.Columns];
        for (int b = 0; b < BatchCount; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int start = b * BatchSize, n = Math.Min(BatchSize, order.Length - start);
            var cells = order.AsSpan(start, n).ToArray();
            var x = n == BatchSize ? buffer : new float[n * _x.Columns];
            _x.DensifyRows(cells, x);
            var obs = _obs.ToDictionary(kv => kv.Key, kv => cells.Select(c => kv.Value[c]).ToArray());
            yield return new MiniBatch(cells, x, obs);
        }
    }
}
