// ClusterDemo: starts a loopback cluster of N worker node processes (the `futures-worker` tool),
// runs pi tasks across them with OrleansExecutor, prints where each ran, and stops every process
// it started.
//   dotnet run --project samples/ClusterDemo -- 3                     (3 nodes)
//   dotnet run -c Release --project samples/ClusterDemo -- 3 --bench  (also: the figures against a plain grain call and a process pool)
//   dotnet run --project samples/ClusterDemo -- 3 --redis 127.0.0.1:6379   (membership in Redis: no node is special)
//   dotnet run -c Release --project samples/ClusterDemo -- 3 --bench --tls (mutual TLS, certificates of a CA made for the run)
using System.Diagnostics;
using ClusterDemo;
using Futures;
using Futures.Orleans;

int nodes = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 3;
bool bench = args.Contains("--bench");
string? redis = args.SkipWhile(a => a != "--redis").Skip(1).FirstOrDefault();
bool tls = args.Contains("--tls");
var total = Stopwatch.StartNew();

Console.WriteLine($"starting {nodes} worker nodes on loopback{(redis is null ? "" : $", membership in Redis at {redis}")}{(tls ? ", mutual TLS" : "")}...");
await using (LocalNodes cluster = await LocalNodes.StartAsync(nodes, TimeSpan.FromSeconds(60), redis, tls))
{
    var names = cluster.Nodes.ToDictionary(node => node.Pid, node => node.Name);
    Console.WriteLine($"cluster up in {total.ElapsedMilliseconds} ms: {string.Join(", ", cluster.Nodes.Select(x => $"{x.Name} pid {x.Pid}"))}");

    // The one line that differs from a process pool: `new ProcessPoolExecutor()` becomes this.
    using var executor = new OrleansExecutor(cluster.Client);

    var clock = Stopwatch.StartNew();
    int[] sizes = Enumerable.Range(0, 12).Select(i => 2_000_000 + 500_000 * i).ToArray();
    Future<(int Pid, double Pi)>[] futures = sizes.Select(size => executor.Submit(Tasks.Pi, size)).ToArray();
    foreach (var (future, size) in futures.Zip(sizes))
    {
        (int pid, double pi) = future.Result();
        Console.WriteLine($"node {names.GetValueOrDefault(pid, "?")} pid {pid} n={size} pi={pi:F10}");
    }
    Console.WriteLine($"{sizes.Length} pi tasks in {clock.ElapsedMilliseconds} ms");

    if (bench) await Bench.RunAsync(cluster.Client, executor, workers: nodes * LocalNodes.MaxConcurrency);
}
Console.WriteLine($"total {total.ElapsedMilliseconds} ms; every node stopped");

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
