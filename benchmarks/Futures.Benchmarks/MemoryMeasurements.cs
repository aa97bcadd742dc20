using System.Diagnostics;

namespace Futures.Benchmarks;

/// <summary>
/// Memory targets that BenchmarkDotNet does not express: peak working set of a bounded pool fed
/// 10M tasks, bytes per queued task of an unbounded pool, and Map(bufferSize) over an endless input.
/// </summary>
/// <remarks>dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --memory [tasks=10000000]</remarks>
internal static class MemoryMeasurements
{
    public static void Run(string[] args)
    {
        int tasks = args.Length > 0 ? int.Parse(args[0]) : 10_000_000;
        BoundedPeakWorkingSet(tasks);
        UnboundedBytesPerQueuedTask(1_000_000);
        MapBufferedOverEndlessInput(tasks / 2);
    }

    private static void BoundedPeakWorkingSet(int tasks)
    {
        using var sampler = new PeakSampler();
        using (var executor = new ThreadPoolExecutor(maxWorkers: Environment.ProcessorCount, maxQueueSize: 1000))
        {
            for (int i = 0; i < tasks; i++) executor.Submit(static () => { });
        }
        Console.WriteLine($"bounded(maxQueueSize: 1000), {tasks:N0} tasks: peak working set +{sampler.PeakDeltaMegabytes:F1} MB over the start");
    }

    private static void UnboundedBytesPerQueuedTask(int tasks)
    {
        using var gate = new ManualResetEventSlim();
        using var executor = new ThreadPoolExecutor(maxWorkers: 1);
        executor.Submit(() => gate.Wait()); // holds the only worker, so everything after stays queued
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < tasks; i++) executor.Submit(static () => { });
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"unbounded: {(after - before) / (double)tasks:F1} bytes per queued task (Future + work item + queue slot)");
        gate.Set();
    }

    private static void MapBufferedOverEndlessInput(int results)
    {
        using var executor = new ThreadPoolExecutor(maxWorkers: Environment.ProcessorCount);
        long taken = 0;
        long[] heapAt = new long[5];
        foreach (long x in executor.Map(static x => x, Endless(), bufferSize: 100))
        {
            taken++;
            if (taken % (results / 5) == 0) heapAt[taken / (results / 5) - 1] = GC.GetTotalMemory(forceFullCollection: true);
            if (taken == results) break;
        }
        Console.WriteLine($"Map(bufferSize: 100) over an endless input, managed heap after each fifth of {results:N0} results: " +
            string.Join(", ", heapAt.Select(b => $"{b / 1024.0 / 1024.0:F1} MB")));

        static IEnumerable<long> Endless()
        {
            for (long i = 0; ; i++) yield return i;
        }
    }

    /// <summary>Samples the working set every millisecond on its own thread and keeps the peak.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly long _start;
        private long _peak;
        private volatile bool _stop;
        private readonly Thread _thread;

        public PeakSampler()
        {
            GC.Collect();
            _start = Environment.WorkingSet;
            _peak = _start;
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    _peak = Math.Max(_peak, Environment.WorkingSet);
                    Thread.Sleep(1); // sampling period, not synchronisation
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public double PeakDeltaMegabytes => (Math.Max(_peak, Environment.WorkingSet) - _start) / 1024.0 / 1024.0;

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}
