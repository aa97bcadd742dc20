using System.Net;
using System.Net.Sockets;
using Futures.Orleans.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Futures.Orleans.Tests.Nodes;

/// <summary>
/// A cluster of real worker node processes (<c>futures-worker</c>, started by <see cref="WorkerNodeProcess"/>)
/// on loopback with free ports, and a client connected to it. Disposing kills every node and waits
/// for it to exit.
/// </summary>
public sealed class LocalWorkerCluster : IAsyncDisposable
{
    private readonly List<WorkerNodeProcess> _nodes = [];
    private IHost? _clientHost;

    private LocalWorkerCluster(string clusterId) => ClusterId = clusterId;

    public string ClusterId { get; }

    public IReadOnlyList<WorkerNodeProcess> Nodes => _nodes;

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
            List<string> Flags(int index, IPEndPoint? primary)
            {
                List<string> flags = ["--silo-port", $"{FreePort()}", "--gateway-port", $"{FreePort()}", "--cluster-id", cluster.ClusterId,
                    "--name", $"node{index}", "--max-concurrency", $"{maxConcurrency}", "--fast-failure-detection"];
                if (primary is not null) flags.AddRange(["--primary", primary.ToString()]);
                if (isolate) flags.Add("--isolate");
                foreach (string folder in probeFolders) flags.AddRange(["--probe", folder]);
                return flags;
            }
            WorkerNodeProcess primary = await cluster.StartNodeAsync(Flags(0, null), timeout);
            await Task.WhenAll(Enumerable.Range(1, count - 1).Select(i => cluster.StartNodeAsync(Flags(i, primary.Silo), timeout)));
            await cluster.ConnectAsync(timeout);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task<WorkerNodeProcess> StartNodeAsync(IEnumerable<string> flags, TimeSpan timeout)
    {
        WorkerNodeProcess node = await WorkerNodeProcess.StartAsync(flags, timeout);
        lock (_nodes) _nodes.Add(node);
        return node;
    }

    private async Task ConnectAsync(TimeSpan timeout)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(_nodes.Select(n => n.Gateway).ToArray());
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

    /// <summary>SIGKILLs the node.</summary>
    public static void Kill(WorkerNodeProcess node) => node.Kill();

    /// <summary>Whether every node process has exited.</summary>
    public bool AllExited => _nodes.All(n => n.HasExited);

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
        foreach (WorkerNodeProcess node in _nodes) await node.DisposeAsync();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
