using System.Diagnostics;
using Futures;
using Futures.Orleans;
using Orleans.Runtime;

namespace ClusterDemo;

/// <summary>The figures of the cluster, each a ratio to a baseline measured in the same run.</summary>
internal static class Bench
{
    private const int RoundTrips = 200;
    private const int TinyTasks = 3000;
    private const int MapItems = 30_000;

    public static async Task RunAsync(IClusterClient client, OrleansExecutor orleans, int workers)
    {
        var management = client.GetGrain<IManagementGrain>(0);
        for (int i = 0; i < 20; i++) await management.GetHosts();
        var calls = new List<double>();
        for (int i = 0; i < RoundTrips; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await management.GetHosts();
            calls.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        double grainP50 = Percentile(calls, 50);
        Console.WriteLine($"plain grain call (management grain): p50 {grainP50:F2} ms, p90 {Percentile(calls, 90):F2} ms");

        // On a thread of its own, as an app's main thread would: Result() blocks its thread, and a
        // blocked thread-pool thread slows the pool that carries the calls (2 cores: badly).
        (List<double> RoundTrip, double Tiny, double Map) cluster = ([], 0, 0), pool = ([], 0, 0);
        var thread = new Thread(() =>
        {
            cluster = Measure(orleans);
            using var processes = new ProcessPoolExecutor(maxWorkers: workers);
            processes.Submit(Tasks.Echo, 0).Result();
            pool = Measure(processes);
        });
        thread.Start();
        thread.Join();

        double p50 = Percentile(cluster.RoundTrip, 50);
        Console.WriteLine($"orleans: Submit+Result p50 {p50:F2} ms (p90 {Percentile(cluster.RoundTrip, 90):F2}); {TinyTasks} no-op Submits {cluster.Tiny:F0} tasks/s; Map chunkSize 100 {cluster.Map:F0} items/s");
        Console.WriteLine($"process pool ({workers} workers): Submit+Result p50 {Percentile(pool.RoundTrip, 50):F2} ms; {pool.Tiny:F0} tasks/s; Map chunkSize 100 {pool.Map:F0} items/s");
        Console.WriteLine($"ratios: Submit+Result p50 / grain call {p50 / grainP50:F2}x (target <= 1.5); tasks/s / pool {cluster.Tiny / pool.Tiny:F2}x (target >= 1.0); Map items/s / pool {cluster.Map / pool.Map:F2}x (target >= 1.0)");
    }

    private static (List<double>, double, double) Measure(Executor executor) => (RoundTrip(executor), Throughput(executor), MapThroughput(executor));

    private static double Percentile(List<double> times, int p)
    {
        List<double> sorted = [.. times.Order()];
        return sorted[Math.Min(sorted.Count - 1, sorted.Count * p / 100)];
    }

    private static List<double> RoundTrip(Executor executor)
    {
        for (int i = 0; i < 20; i++) executor.Submit(Tasks.Echo, i).Result();
        var times = new List<double>();
        for (int i = 0; i < RoundTrips; i++)
        {
            long start = Stopwatch.GetTimestamp();
            executor.Submit(Tasks.Echo, i).Result();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return times;
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
