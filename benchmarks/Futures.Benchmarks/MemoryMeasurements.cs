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
        if (args.Length > 0 && args[0] == "process")
        {
            ProcessPoolAllocations(args.Length > 1 ? int.Parse(args[1]) : 50_000);
            return;
        }
        int tasks = args.Length > 0 ? int.Parse(args[0]) : 10_000_000;
        BoundedPeakWorkingSet(tasks);
        UnboundedBytesPerQueuedTask(1_000_000);
        MapBufferedOverEndlessInput(tasks / 2);
        SubmitPathAllocations(100_000);
    }

    /// <summary>
    /// Bytes the submitting thread allocates per Submit (GC.GetAllocatedBytesForCurrentThread), with
    /// nobody listening and then with listeners on the Futures meter and activity source.
    /// </summary>
    private static void SubmitPathAllocations(int tasks)
    {
        double quiet = BytesPerSubmit(tasks);
        using var meterListener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (i, l) => { if (i.Meter.Name == "Futures") l.EnableMeasurementEvents(i); },
        };
        meterListener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        meterListener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        meterListener.Start();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = static s => s.Name == "Futures",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(activityListener);
        double listened = BytesPerSubmit(tasks);
        Console.WriteLine($"submit path, bytes allocated by the submitting thread per Submit: {quiet:F1} with nobody listening " +
            $"(Future + work item), {listened:F1} with meter and activity listeners");

        static double BytesPerSubmit(int n)
        {
            using var executor = new ThreadPoolExecutor(maxWorkers: 2);
            var futures = new Future<int>[n];
            for (int i = 0; i < n; i++) futures[i] = executor.Submit(static () => 1); // warm up
            foreach (var f in futures) f.Result();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < n; i++) futures[i] = executor.Submit(static () => 1);
            long after = GC.GetAllocatedBytesForCurrentThread();
            foreach (var f in futures) f.Result();
            return (after - before) / (double)n;
        }
    }

    /// <summary>
    /// Bytes a process pool allocates per tiny call (<c>Work.Identity(int)</c>, one worker, one call at
    /// a time): on the submitting thread (Submit, which also sends the call, and Result), in the whole
    /// parent (the reader thread's decoding and completion too), and in the worker.
    /// </summary>
    /// <remarks>dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --memory process [calls=50000]</remarks>
    private static void ProcessPoolAllocations(int calls)
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        for (int i = 0; i < calls; i++) pool.Submit(Work.Identity, i).Result(); // warm up (and tier up) both sides
        long worker0 = pool.Submit(Work.AllocatedBytes).Result();
        long thread0 = GC.GetAllocatedBytesForCurrentThread();
        long parent0 = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < calls; i++) pool.Submit(Work.Identity, i).Result();
        long thread = GC.GetAllocatedBytesForCurrentThread() - thread0;
        long parent = GC.GetTotalAllocatedBytes(precise: true) - parent0;
        long worker = pool.Submit(Work.AllocatedBytes).Result() - worker0;
        Console.WriteLine($"process pool, bytes allocated per tiny call: submitting thread {thread / (double)calls:F0}, " +
            $"whole parent {parent / (double)calls:F0}, worker {worker / (double)calls:F0}");
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
