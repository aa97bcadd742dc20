using System.Diagnostics;
using System.Text.Json;

namespace Futures.Benchmarks;

/// <summary>
/// The .NET side of benchmarks/python/compare.py: plain Stopwatch measurements of the same
/// workloads as benchmarks/python/workloads.py, printed as JSON lines
/// (<c>{"name":..,"workers":..,"value":..,"unit":..}</c>). BenchmarkDotNet is the precise tool;
/// this mode exists to sweep worker counts quickly and to sit beside CPython in one table.
/// </summary>
internal static class Comparison
{
    public static void Run(string[] args)
    {
        int tasks = args.Length > 0 ? int.Parse(args[0]) : 100_000;
        int[] workerCounts = [1, 2, 4, 8];

        Emit("taskrun.throughput", Environment.ProcessorCount, Best(() => TaskRunThroughput(tasks)), "tasks/s");
        foreach (int workers in workerCounts)
        {
            using var executor = new ThreadPoolExecutor(maxWorkers: workers);
            Emit("thread.throughput", workers, Best(() => SubmitThroughput(executor, tasks)), "tasks/s");
        }
        using (var executor = new ThreadPoolExecutor(maxWorkers: 2))
        {
            Emit("thread.roundtrip_p50", 2, RoundTripP50(executor, 20_000), "us");
        }
        Emit("thread.tutorial_10x100ms", 2, TutorialThreadExample(workers: 2), "s");
        ProcessPool(tasks / 5);
    }

    private static void ProcessPool(int tasks)
    {
        foreach (int workers in new[] { 1, 2, 4 })
        {
            using var pool = StartedProcessPool(workers);
            Emit("process.throughput", workers, Best(() => SubmitThroughput(pool, tasks)), "tasks/s");
        }
        using (var pool = StartedProcessPool(2))
        {
            Emit("process.roundtrip_p50", 2, RoundTripP50(pool, 5_000), "us");
            Emit("process.map_chunk1000", 2, Best(() =>
            {
                var clock = Stopwatch.StartNew();
                int n = pool.Map(Work.Identity, Enumerable.Range(0, 200_000), chunkSize: 1000).Count();
                return n / clock.Elapsed.TotalSeconds;
            }), "items/s");
        }
        var start = Stopwatch.StartNew();
        using (var pool = new ProcessPoolExecutor(maxWorkers: 2))
        {
            pool.Submit(Work.Identity, 1).Result();
            Emit("process.first_result", 2, start.Elapsed.TotalMilliseconds, "ms");
        }
        foreach (int workers in new[] { 1, 2 })
        {
            var clock = Stopwatch.StartNew();
            using (var pool = new ProcessPoolExecutor(maxWorkers: workers))
            {
                _ = pool.Map(Work.BaselPi, [2_000_000, 2_001_000, 2_002_000, 2_003_000]).ToList();
            }
            Emit("process.tutorial_pi", workers, clock.Elapsed.TotalSeconds, "s");
        }
    }

    /// <summary>A pool whose workers have all started, so that start-up is not counted as throughput.</summary>
    private static ProcessPoolExecutor StartedProcessPool(int workers)
    {
        var pool = new ProcessPoolExecutor(maxWorkers: workers);
        Future.Wait(Enumerable.Range(0, workers).Select(_ => pool.Submit(Work.Nap, 100)).ToList());
        return pool;
    }

    public static void Emit(string name, int workers, double value, string unit) =>
        Console.WriteLine(JsonSerializer.Serialize(new { name, workers, value, unit }));

    /// <summary>The best of three runs: on a shared machine the best is the least disturbed.</summary>
    public static double Best(Func<double> measure) => Enumerable.Range(0, 3).Select(_ => measure()).Max();

    private static double TaskRunThroughput(int n)
    {
        var tasks = new Task<int>[n];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) tasks[i] = Task.Run(static () => 1);
        Task.WaitAll(tasks);
        return n / clock.Elapsed.TotalSeconds;
    }

    private static double SubmitThroughput(Executor executor, int n)
    {
        var futures = new Future<int>[n];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) futures[i] = executor.Submit(Work.Identity, i);
        for (int i = 0; i < n; i++) futures[i].Result();
        return n / clock.Elapsed.TotalSeconds;
    }

    public static double RoundTripP50(Executor executor, int n)
    {
        var micros = new double[n];
        for (int i = 0; i < n; i++)
        {
            long start = Stopwatch.GetTimestamp();
            executor.Submit(Work.Identity, i).Result();
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(micros);
        return micros[n / 2];
    }

    /// <summary>The tutorial's thread example, shortened: 10 tasks that each sleep 100 ms.</summary>
    private static double TutorialThreadExample(int workers)
    {
        var clock = Stopwatch.StartNew();
        using (var executor = new ThreadPoolExecutor(maxWorkers: workers))
        {
            _ = executor.Map(static i => { Thread.Sleep(100); return i * i; }, Enumerable.Range(0, 10)).Sum();
        }
        return clock.Elapsed.TotalSeconds;
    }
}
