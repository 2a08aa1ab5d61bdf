namespace SingleCell.Models.DietNetworks;

/// <summary>The rows of one fold: training, validation (early stopping) and test.</summary>
/// <param name="Fold">Zero-based fold index.</param>
/// <param name="Train">Training rows.</param>
/// <param name="Validation">Validation rows.</param>
/// <param name="Test">Held-out test rows.</param>
public sealed record FoldSplit(int Fold, int[] Train, int[] Validation, int[] Test)
{
    /// <summary>Training and validation rows (what embeddings and standardisation are computed from).</summary>
    public int[] TrainAndValidation => [.. Train, .. Validation];
}

/// <summary>
/// The authors' splits (spec §4.2, <c>dataset_utils.py::load_1000_genomes</c>): shuffle the samples with
/// <c>numpy.random.seed(seed)</c>'s permutation (reproduced bit for bit, so folds match the Python code and
/// the PyTorch peer), cut the shuffled order into <c>k</c> contiguous folds (sample at shuffled position
/// <c>i</c> is in fold ⌊i·k/n⌋); fold f is the test set and, of the remaining rows in order, the first
/// ⌊0.75·r⌋ train and the rest validate (60/20/20 for k = 5).
/// </summary>
public sealed class CrossValidationFolds
{
    /// <summary>Creates the folds of <paramref name="samples"/> rows.</summary>
    /// <param name="samples">Number of samples.</param>
    /// <param name="folds">Number of folds k (≥ 2).</param>
    /// <param name="seed">Shuffle seed (the authors: 23).</param>
    /// <param name="trainFraction">Share of the non-test rows that train (the authors: 0.75).</param>
    public CrossValidationFolds(int samples, int folds = 5, uint seed = 23, double trainFraction = 0.75)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        if (samples < folds) throw new ArgumentOutOfRangeException(nameof(samples), $"{samples} samples cannot make {folds} folds.");
        if (!(trainFraction > 0 && trainFraction < 1)) throw new ArgumentOutOfRangeException(nameof(trainFraction), "The train fraction must be in (0, 1).");
        Samples = samples; Folds = folds; TrainFraction = trainFraction;
        Order = NumpyPermutation(samples, seed);
    }

    /// <summary>Number of samples.</summary>
    public int Samples { get; }

    /// <summary>Number of folds.</summary>
    public int Folds { get; }

    /// <summary>Share of the non-test rows that train.</summary>
    public double TrainFraction { get; }

    /// <summary>The shuffled order of the rows.</summary>
    public int[] Order { get; }

    /// <summary>The rows of fold <paramref name="fold"/>.</summary>
    /// <param name="fold">Zero-based fold index.</param>
    public FoldSplit Split(int fold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fold);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fold, Folds);
        var test = new List<int>();
        var rest = new List<int>();
        for (int i = 0; i < Samples; i++) ((long)i * Folds / Samples == fold ? test : rest).Add(Order[i]);
        int nTrain = (int)(TrainFraction * rest.Count);
        return new FoldSplit(fold, rest.GetRange(0, nTrain).ToArray(), rest.GetRange(nTrain, rest.Count - nTrain).ToArray(), test.ToArray());
    }

    /// <summary>
    /// <c>numpy.random.RandomState(seed).permutation(n)</c>: MT19937 seeded with <c>init_genrand(seed)</c>,
    /// then the Fisher–Yates shuffle of <c>arange(n)</c> from the end, each index drawn by masked rejection
    /// of 32-bit outputs (numpy's legacy <c>random_interval</c>).
    /// </summary>
    /// <param name="n">Length.</param>
    /// <param name="seed">The integer seed.</param>
    public static int[] NumpyPermutation(int n, uint seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var mt = new MersenneTwister(seed);
        var a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            uint max = (uint)i, mask = max;
            mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16;
            uint j;
            while ((j = mt.Next() & mask) > max) { }
            (a[i], a[j]) = (a[j], a[i]);
        }
        return a;
    }

    /// <summary>The 32-bit Mersenne Twister MT19937 (Matsumoto &amp; Nishimura), as numpy's legacy generator.</summary>
    private sealed class MersenneTwister
    {
        private readonly uint[] _mt = new uint[624];
        private int _index = 624;

        internal MersenneTwister(uint seed)
        {
            _mt[0] = seed;
            for (int i = 1; i < 624; i++) _mt[i] = 1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i;
        }

        internal uint Next()
        {
            if (_index >= 624)
            {
                for (int k = 0; k < 624; k++)
                {
                    uint y = (_mt[k] & 0x80000000u) | (_mt[(k + 1) % 624] & 0x7fffffffu);
                    _mt[k] = _mt[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
                }
                _index = 0;
            }
            uint x = _mt[_index++];
            x ^= x >> 11;
            x ^= (x << 7) & 0x9d2c5680u;
            x ^= (x << 15) & 0xefc60000u;
            x ^= x >> 18;
            return x;
        }
    }
}
