using System.Diagnostics;
using Futures;
using Futures.Orleans;
using Orleans.Runtime;

namespace ClusterDemo;

/// <summary>The figures of the cluster, each a ratio to a baseline measured in the same run.</summary>
internal static class Bench
{
    private const int RoundTrips = 300;
    private const int TinyTasks = 10_000;
    private const int MapItems = 300_000;
    private const int Rounds = 5;

    /// <summary>
    /// Rounds run first and not counted: the nodes, the workers and this process each JIT their code
    /// paths in tiers, and a throughput measured before that settles measures the JIT (the first
    /// rounds ran at a third of the later ones), as BenchmarkDotNet's warm-up iterations know.
    /// </summary>
    private const int WarmupRounds = 3;

    public static Task RunAsync(IClusterClient client, OrleansExecutor orleans, int workers)
    {
        // On a thread of its own, as an app's main thread would: Result() blocks its thread, and a
        // blocked thread-pool thread slows the pool that carries the calls (2 cores: badly).
        var thread = new Thread(() => Run(client, orleans, workers));
        thread.Start();
        thread.Join();
        return Task.CompletedTask;
    }

    private static void Run(IClusterClient client, OrleansExecutor orleans, int workers)
    {
        // The round trips in pairs, a plain grain call then a Submit+Result, so that both see the same
        // load (on a shared machine, one series measured after the other can differ by 10x).
        var management = client.GetGrain<IManagementGrain>(0);
        for (int i = 0; i < 20; i++)
        {
            management.GetHosts().GetAwaiter().GetResult();
            orleans.Submit(Tasks.Echo, i).Result();
        }
        var grain = new List<double>();
        var roundTrip = new List<double>();
        for (int i = 0; i < RoundTrips; i++)
        {
            long start = Stopwatch.GetTimestamp();
            management.GetHosts().GetAwaiter().GetResult();
            grain.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            start = Stopwatch.GetTimestamp();
            orleans.Submit(Tasks.Echo, i).Result();
            roundTrip.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        double grainP50 = Percentile(grain, 50), p50 = Percentile(roundTrip, 50);
        Console.WriteLine($"plain grain call (management grain): p50 {grainP50:F2} ms, p90 {Percentile(grain, 90):F2} ms");
        Console.WriteLine($"orleans Submit+Result of a no-op: p50 {p50:F2} ms, p90 {Percentile(roundTrip, 90):F2} ms");

        // Throughput in alternating rounds, the median of each side: the same load for both.
        using var processes = new ProcessPoolExecutor(maxWorkers: workers);
        processes.Submit(Tasks.Echo, 0).Result();
        var tiny = (Cluster: new List<double>(), Pool: new List<double>());
        var map = (Cluster: new List<double>(), Pool: new List<double>());
        for (int round = 0; round < WarmupRounds; round++)
        {
            Throughput(orleans);
            Throughput(processes);
            MapThroughput(orleans);
            MapThroughput(processes);
        }
        for (int round = 0; round < Rounds; round++)
        {
            tiny.Cluster.Add(Throughput(orleans));
            tiny.Pool.Add(Throughput(processes));
            map.Cluster.Add(MapThroughput(orleans));
            map.Pool.Add(MapThroughput(processes));
            Console.WriteLine($"  round {round}: tasks/s orleans {tiny.Cluster[^1]:F0}, pool {tiny.Pool[^1]:F0}; Map items/s orleans {map.Cluster[^1]:F0}, pool {map.Pool[^1]:F0}");
        }
        (double Tiny, double Map) cluster = (Percentile(tiny.Cluster, 50), Percentile(map.Cluster, 50));
        (double Tiny, double Map) pool = (Percentile(tiny.Pool, 50), Percentile(map.Pool, 50));
        Console.WriteLine($"orleans: {TinyTasks} no-op Submits {cluster.Tiny:F0} tasks/s; Map chunkSize 100 {cluster.Map:F0} items/s (medians of {Rounds} rounds after {WarmupRounds} warm-up rounds)");
        Console.WriteLine($"process pool ({workers} workers): {pool.Tiny:F0} tasks/s; Map chunkSize 100 {pool.Map:F0} items/s");
        Console.WriteLine($"ratios: Submit+Result p50 / grain call {p50 / grainP50:F2}x (target <= 1.5); tasks/s / pool {cluster.Tiny / pool.Tiny:F2}x (target >= 1.0); Map items/s / pool {cluster.Map / pool.Map:F2}x (target >= 1.0)");
    }

    private static double Percentile(List<double> times, int p)
    {
        List<double> sorted = [.. times.Order()];
        return sorted[Math.Min(sorted.Count - 1, sorted.Count * p / 100)];
    }

    private static double Throughput(Executor executor)
    {
        var clock = Stopwatch.StartNew();
        Future<int>[] futures = Enumerable.Range(0, TinyTasks).Select(i => executor.Submit(Tasks.Echo, i)).ToArray();
        foreach (Future<int> f in futures) f.Result();
        return TinyTasks / clock.Elapsed.TotalSeconds;
    }

    private static double MapThroughput(Executor executor)
    {
        var clock = Stopwatch.StartNew();
        _ = executor.Map(Tasks.Echo, Enumerable.Range(0, MapItems), chunkSize: 100).Count();
        return MapItems / clock.Elapsed.TotalSeconds;
    }
}
