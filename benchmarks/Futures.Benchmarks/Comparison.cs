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
        foreach (var extra in ExtraMeasurements) extra();
    }

    /// <summary>Measurements added by other executors' comparisons (the process pool's).</summary>
    public static readonly List<Action> ExtraMeasurements = [];

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
        for (int i = 0; i < n; i++) futures[i] = executor.Submit(static () => 1);
        for (int i = 0; i < n; i++) futures[i].Result();
        return n / clock.Elapsed.TotalSeconds;
    }

    public static double RoundTripP50(Executor executor, int n)
    {
        var micros = new double[n];
        for (int i = 0; i < n; i++)
        {
            long start = Stopwatch.GetTimestamp();
            executor.Submit(static () => 1).Result();
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
