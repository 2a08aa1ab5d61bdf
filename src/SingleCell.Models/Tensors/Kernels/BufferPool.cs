namespace SingleCell.Models.Tensors.Kernels;

/// <summary>
/// A per-thread pool of float buffers keyed by exact length. Only buffers that the engine knows to be
/// dead are returned to it — the gradients of intermediate tensors, once the backward pass has
/// consumed them — so nothing a user can still reach is ever reused. Anything not returned is simply
/// garbage-collected: the pool is an optimisation, never a requirement.
/// </summary>
/// <remarks>
/// A training loop allocates the same shapes every step, so exact-length buckets hit almost always.
/// Buffers under 1,024 floats are left to the GC's gen0 (cheaper than a dictionary lookup); from 4 KiB up the
/// pool pays: the GC clears every byte it hands out, and a model step's many [128, 15]-sized gradients
/// (7.5 KiB each) were most of the sVAE's narrow step's allocation. Large buffers (which the GC puts on the
/// large-object heap and collects only in gen2) are where pooling pays most.
/// </remarks>
internal static class BufferPool
{
    private const int MinPooledLength = 1024;
    private const int MaxPerLength = 64;
    private const long MaxPooledFloatsPerThread = 64L << 20; // 256 MiB

    [ThreadStatic] private static Dictionary<int, Stack<float[]>>? t_buckets;
    [ThreadStatic] private static long t_pooledFloats;

    /// <summary>A buffer of exactly <paramref name="length"/> floats with unspecified contents.</summary>
    internal static float[] Rent(int length)
    {
        if (length == 0) return [];
        if (length >= MinPooledLength && t_buckets != null && t_buckets.TryGetValue(length, out var stack) && stack.Count > 0)
        {
            t_pooledFloats -= length;
            return stack.Pop();
        }
        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Gives back a buffer that nothing references any more.</summary>
    internal static void Return(float[] buffer)
    {
        int length = buffer.Length;
        if (length < MinPooledLength || t_pooledFloats + length > MaxPooledFloatsPerThread) return;
        var buckets = t_buckets ??= new Dictionary<int, Stack<float[]>>();
        if (!buckets.TryGetValue(length, out var stack)) buckets[length] = stack = new Stack<float[]>();
        if (stack.Count >= MaxPerLength) return;
        stack.Push(buffer);
        t_pooledFloats += length;
    }
}
