// ClusterDemo: starts a loopback cluster of N worker node processes, runs pi tasks across them
// with OrleansExecutor, prints where each ran, and stops every process it started.
//   dotnet run --project samples/ClusterDemo -- 3            (3 nodes)
//   dotnet run --project samples/ClusterDemo -- 3 --bench    (also: round trip and tasks/s against a process pool)
using System.Diagnostics;
using Futures;
using Futures.Orleans;
using Futures.Orleans.Testing;

int nodes = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 3;
bool bench = args.Contains("--bench");
var total = Stopwatch.StartNew();

Console.WriteLine($"starting {nodes} worker nodes on loopback...");
await using LocalWorkerCluster cluster = await LocalWorkerCluster.StartAsync(nodes, maxConcurrency: Environment.ProcessorCount, TimeSpan.FromSeconds(60));
var names = cluster.Nodes.ToDictionary(node => node.Pid, node => node.Name);
Console.WriteLine($"cluster up in {total.ElapsedMilliseconds} ms: {string.Join(", ", cluster.Nodes.Select(x => $"{x.Name} pid {x.Pid}"))}");

// The one line that differs from a process pool: `new ProcessPoolExecutor()` becomes this.
using (var executor = new OrleansExecutor(cluster.Client))
{
    var clock = Stopwatch.StartNew();
    int[] sizes = Enumerable.Range(0, 12).Select(i => 2_000_000 + 500_000 * i).ToArray();
    Future<(int Pid, double Pi)>[] futures = sizes.Select(size => executor.Submit(Tasks.Pi, size)).ToArray();
    foreach (var (future, size) in futures.Zip(sizes))
    {
        (int pid, double pi) = future.Result();
        Console.WriteLine($"node {names.GetValueOrDefault(pid, "?")} pid {pid} n={size} pi={pi:F10}");
    }
    Console.WriteLine($"{sizes.Length} pi tasks in {clock.ElapsedMilliseconds} ms");

    if (bench)
    {
        var management = cluster.Client.GetGrain<Orleans.Runtime.IManagementGrain>(0);
        for (int i = 0; i < 20; i++) await management.GetHosts();
        var calls = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await management.GetHosts();
            calls.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        calls.Sort();
        Console.WriteLine($"plain grain call round trip (management grain): p50 {calls[100]:F2} ms, p90 {calls[180]:F2} ms");
        // On a thread of its own, as an app's main thread would: Result() blocks its thread, and a
        // blocked thread-pool thread slows the pool that carries the calls (2 cores: badly).
        var benchThread = new Thread(() => Bench.Run(executor));
        benchThread.Start();
        benchThread.Join();
        Console.WriteLine($"round trip (await Submit of a no-op, sequential): {await Bench.AwaitRoundTrip(executor)}");
    }
}
Console.WriteLine($"total {total.ElapsedMilliseconds} ms; stopping the nodes");

static class Tasks
{
    public static (int, double) Pi(int n)
    {
        double sum = 0;
        for (int k = 0; k < n; k++) sum += (k % 2 == 0 ? 4.0 : -4.0) / (2 * k + 1);
        return (Environment.ProcessId, sum);
    }

    public static int Echo(int x) => x;
}

static class Bench
{
    public static void Run(Executor orleans)
    {
        Console.WriteLine($"round trip (Submit + Result of a no-op, sequential): {RoundTrip(orleans)}");
        Console.WriteLine($"orleans, 3000 no-op Submits: {Throughput(orleans, 3000):F0} tasks/s; Map chunkSize 100: {MapThroughput(orleans, 30000):F0} items/s");
        using var pool = new ProcessPoolExecutor(maxWorkers: Environment.ProcessorCount);
        pool.Submit(Tasks.Echo, 0).Result();
        Console.WriteLine($"process pool ({Environment.ProcessorCount} workers) round trip: {RoundTrip(pool)}");
        Console.WriteLine($"process pool, 3000 no-op Submits: {Throughput(pool, 3000):F0} tasks/s; Map chunkSize 100: {MapThroughput(pool, 30000):F0} items/s");
    }

    public static async Task<string> AwaitRoundTrip(Executor executor)
    {
        var times = new List<double>();
        for (int i = 0; i < 220; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await executor.Submit(Tasks.Echo, i);
            if (i >= 20) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        times.Sort();
        return $"p50 {times[times.Count / 2]:F2} ms, p90 {times[times.Count * 9 / 10]:F2} ms";
    }

    private static string RoundTrip(Executor executor)
    {
        for (int i = 0; i < 20; i++) executor.Submit(Tasks.Echo, i).Result();
        var times = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            long start = Stopwatch.GetTimestamp();
            executor.Submit(Tasks.Echo, i).Result();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        times.Sort();
        return $"p50 {times[times.Count / 2]:F2} ms, p90 {times[times.Count * 9 / 10]:F2} ms";
    }

    private static double Throughput(Executor executor, int count)
    {
        var clock = Stopwatch.StartNew();
        Future<int>[] futures = Enumerable.Range(0, count).Select(i => executor.Submit(Tasks.Echo, i)).ToArray();
        foreach (Future<int> f in futures) f.Result();
        return count / clock.Elapsed.TotalSeconds;
    }

    private static double MapThroughput(Executor executor, int count)
    {
        var clock = Stopwatch.StartNew();
        _ = executor.Map(Tasks.Echo, Enumerable.Range(0, count), chunkSize: 100).Count();
        return count / clock.Elapsed.TotalSeconds;
    }
}
