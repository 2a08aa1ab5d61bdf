using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace SingleCell.Models.Tensors.Kernels;

/// <summary>
/// Fork–join for the engine's kernels: runs <c>body(0 … parts−1)</c> on the calling thread and a few
/// persistent worker threads, and returns when every part is done.
/// </summary>
/// <remarks>
/// <para>
/// A training step launches a few dozen parallel kernels of 0.05–2 ms each. <see cref="Parallel.For(int, int, Action{int})"/>
/// costs several microseconds per call in task and replica bookkeeping, and its thread-pool workers
/// are woken through a semaphore and spin in it between calls, competing for the cores with the
/// thread that does the serial work. Here the workers are dedicated background threads (one fewer
/// than the processors), they spin on a generation counter for a short while after each job and then
/// block; the caller publishes a job, works on it itself and waits only for parts already started.
/// </para>
/// <para>
/// Parts are claimed dynamically, but callers give each part a fixed range of the output, so results
/// never depend on which thread ran a part (the engine's reductions stay bitwise reproducible).
/// Nested calls, calls from a worker, and calls while another thread's job is running run serially on
/// the calling thread. The first exception of any part is rethrown to the caller after all parts end.
/// </para>
/// </remarks>
internal static class ForkJoin
{
    /// <summary>How long a worker keeps polling for the next job before it blocks (microseconds).</summary>
    private const long SpinMicroseconds = 200;

    private static int s_busy;
    private static Worker[]? s_workers;
    private static Job? s_job;
    private static long s_generation;
    [ThreadStatic] private static bool t_inJob;

    /// <summary>Worker threads besides the caller (processors − 1).</summary>
    internal static int WorkerCount { get; } = Math.Max(0, Environment.ProcessorCount - 1);

    /// <summary>Runs <paramref name="body"/> for every part index in [0, <paramref name="parts"/>).</summary>
    internal static void For(int parts, Action<int> body)
    {
        if (parts <= 0) return;
        if (parts == 1 || WorkerCount == 0 || t_inJob || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int i = 0; i < parts; i++) body(i);
            return;
        }
        try
        {
            t_inJob = true;
            var job = new Job(body, parts);
            Volatile.Write(ref s_job, job);
            Interlocked.Increment(ref s_generation);
            foreach (var w in s_workers ??= StartWorkers()) w.Wake();
            job.Run();
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
            Volatile.Write(ref s_job, null);
            if (job.Error != null) ExceptionDispatchInfo.Capture(job.Error).Throw();
        }
        finally
        {
            t_inJob = false;
            Volatile.Write(ref s_busy, 0);
        }
    }

    private static Worker[] StartWorkers()
    {
        var workers = new Worker[WorkerCount];
        for (int i = 0; i < workers.Length; i++) workers[i] = new Worker(i);
        return workers;
    }

    private sealed class Job(Action<int> body, int parts)
    {
        private readonly int _parts = parts;
        private int _next = -1;
        internal int Pending = parts;
        internal Exception? Error;

        /// <summary>Claims and runs parts until none are left.</summary>
        internal void Run()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < _parts)
            {
                try { body(i); }
                catch (Exception e) { Interlocked.CompareExchange(ref Error, e, null); }
                finally { Interlocked.Decrement(ref Pending); }
            }
        }
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _signal = new(0);
        private int _sleeping;

        internal Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"SingleCell.Models kernel worker {index}" };
            thread.Start();
        }

        /// <summary>Releases the worker if it is blocked (called after a new generation is published).</summary>
        internal void Wake()
        {
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _signal.Release();
        }

        private void Loop()
        {
            t_inJob = true;
            long seen = Volatile.Read(ref s_generation);
            long spinTicks = SpinMicroseconds * Stopwatch.Frequency / 1_000_000;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                int polls = 0;
                while (Volatile.Read(ref s_generation) == seen)
                {
                    if (++polls < 64 || Stopwatch.GetTimestamp() - start < spinTicks) { Thread.SpinWait(8); continue; }
                    // Announce the sleep, then look once more: a job published in between either is seen
                    // here or finds _sleeping = 1 and releases the semaphore.
                    Interlocked.Exchange(ref _sleeping, 1);
                    if (Volatile.Read(ref s_generation) == seen) _signal.Wait();
                    else Interlocked.Exchange(ref _sleeping, 0);
                    start = Stopwatch.GetTimestamp();
                    polls = 0;
                }
                seen = Volatile.Read(ref s_generation);
                Volatile.Read(ref s_job)?.Run();
            }
        }
    }
}
