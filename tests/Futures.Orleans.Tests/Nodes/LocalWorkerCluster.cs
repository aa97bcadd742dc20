using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Futures.Orleans.Testing;

/// <summary>
/// A cluster of real worker node processes (<c>Futures.Orleans.Worker</c>) on loopback with free
/// ports, and a client connected to it. Disposing kills every node and waits for it to exit.
/// Shared by the tier-2 tests and the ClusterDemo sample.
/// </summary>
public sealed class LocalWorkerCluster : IAsyncDisposable
{
    private readonly List<Node> _nodes = [];
    private IHost? _clientHost;

    private LocalWorkerCluster(string clusterId) => ClusterId = clusterId;

    /// <summary>One worker node process.</summary>
    public sealed record Node(string Name, Process Process, int SiloPort, int GatewayPort)
    {
        public int Pid => Process.Id;

        /// <summary>Output lines of the node, for a failure message.</summary>
        public List<string> Output { get; } = [];
    }

    public string ClusterId { get; }

    public IReadOnlyList<Node> Nodes => _nodes;

    public IClusterClient Client => _clientHost!.Services.GetRequiredService<IClusterClient>();

    /// <summary>Starts <paramref name="count"/> nodes (the first is the primary, holding the membership table) and connects a client.</summary>
    /// <param name="count">How many nodes.</param>
    /// <param name="maxConcurrency">Each node's <c>--max-concurrency</c>.</param>
    /// <param name="timeout">How long each node may take to be ready, and the client to connect.</param>
    /// <param name="isolate">Whether the nodes run each task in a child process (<c>--isolate</c>).</param>
    /// <param name="probeFolders">Each node's <c>--probe</c> folders.</param>
    public static async Task<LocalWorkerCluster> StartAsync(int count, int maxConcurrency, TimeSpan timeout, bool isolate = false, params string[] probeFolders)
    {
        var cluster = new LocalWorkerCluster($"futures-{Guid.NewGuid():N}");
        try
        {
            string worker = FindWorkerDll();
            Node primary = cluster.StartNode(worker, 0, null, maxConcurrency, isolate, probeFolders);
            await WaitReadyAsync(primary, timeout);
            Node[] others = Enumerable.Range(1, count - 1)
                .Select(i => cluster.StartNode(worker, i, primary.SiloPort, maxConcurrency, isolate, probeFolders)).ToArray();
            await Task.WhenAll(others.Select(n => WaitReadyAsync(n, timeout)));
            await cluster.ConnectAsync(timeout);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private Node StartNode(string workerDll, int index, int? primaryPort, int maxConcurrency, bool isolate, string[] probeFolders)
    {
        int siloPort = FreePort(), gatewayPort = FreePort();
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(workerDll);
        foreach (string arg in new[]
        {
            "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--cluster-id", ClusterId,
            "--name", $"node{index}", "--max-concurrency", $"{maxConcurrency}", "--fast-failure-detection",
            "--parent-pid", $"{Environment.ProcessId}",
        }) start.ArgumentList.Add(arg);
        if (primaryPort is { } p)
        {
            start.ArgumentList.Add("--primary");
            start.ArgumentList.Add($"127.0.0.1:{p}");
        }
        if (isolate) start.ArgumentList.Add("--isolate");
        foreach (string folder in probeFolders)
        {
            start.ArgumentList.Add("--probe");
            start.ArgumentList.Add(folder);
        }
        var node = new Node($"node{index}", Process.Start(start)!, siloPort, gatewayPort);
        _nodes.Add(node);
        return node;
    }

    private static async Task WaitReadyAsync(Node node, TimeSpan timeout)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (node.Output) node.Output.Add(e.Data);
            if (e.Data.StartsWith("futures-worker ready", StringComparison.Ordinal)) ready.TrySetResult();
        }
        node.Process.OutputDataReceived += OnLine;
        node.Process.ErrorDataReceived += OnLine;
        node.Process.BeginOutputReadLine();
        node.Process.BeginErrorReadLine();
        Task exited = node.Process.WaitForExitAsync();
        Task first = await Task.WhenAny(ready.Task, exited, Task.Delay(timeout));
        if (first == ready.Task) return;
        string output;
        lock (node.Output) output = string.Join(Environment.NewLine, node.Output.TakeLast(30));
        throw new InvalidOperationException(
            $"Worker {node.Name} (pid {node.Pid}) {(first == exited ? $"exited with code {node.Process.ExitCode}" : "was not ready in time")}:{Environment.NewLine}{output}");
    }

    private async Task ConnectAsync(TimeSpan timeout)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(_nodes.Select(n => new IPEndPoint(IPAddress.Loopback, n.GatewayPort)).ToArray());
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = "futures";
            });
        });
        _clientHost = builder.Build();
        using var cts = new CancellationTokenSource(timeout);
        await _clientHost.StartAsync(cts.Token);
    }

    /// <summary>SIGKILLs the node (on Linux, <see cref="Process.Kill()"/> sends SIGKILL).</summary>
    public static void Kill(Node node) => node.Process.Kill();

    /// <summary>Whether every node process has exited.</summary>
    public bool AllExited => _nodes.All(n => n.Process.HasExited);

    public async ValueTask DisposeAsync()
    {
        if (_clientHost is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _clientHost.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // The nodes go next anyway.
            }
            _clientHost.Dispose();
        }
        foreach (Node node in _nodes)
        {
            if (!node.Process.HasExited) node.Process.Kill(entireProcessTree: true);
        }
        foreach (Node node in _nodes)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await node.Process.WaitForExitAsync(cts.Token);
        }
    }

    /// <summary>The worker tool's dll, built beside this assembly's configuration (it is a build dependency, not a reference).</summary>
    public static string FindWorkerDll()
    {
        string baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        string tfm = Path.GetFileName(baseDir);
        string configuration = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
        for (DirectoryInfo? dir = new(baseDir); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "Futures.Orleans.Worker", "bin", configuration, tfm, "Futures.Orleans.Worker.dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"Futures.Orleans.Worker.dll ({configuration}/{tfm}) not found above {baseDir}; build src/Futures.Orleans.Worker first.");
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path
        : "dotnet";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
