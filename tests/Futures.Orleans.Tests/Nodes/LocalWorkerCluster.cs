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

    private LocalWorkerCluster(string clusterId, string? redis, int maxConcurrency, DevCertificateAuthority? tls)
    {
        ClusterId = clusterId;
        Redis = redis;
        Tls = tls;
        _maxConcurrency = maxConcurrency;
    }

    /// <summary>The CA of the nodes' mutual TLS, or null for none: each node gets a certificate of it, and so does the client.</summary>
    public DevCertificateAuthority? Tls { get; }

    private readonly int _maxConcurrency;

    /// <summary>The Redis server holding the membership table (<c>--redis</c>), or null for development clustering (the first node holds it).</summary>
    public string? Redis { get; }

    public string ClusterId { get; }

    public IReadOnlyList<WorkerNodeProcess> Nodes => _nodes;

    public IClusterClient Client => _clientHost!.Services.GetRequiredService<IClusterClient>();

    /// <summary>Starts <paramref name="count"/> nodes and connects a client. Without <paramref name="redis"/>, the first node is the primary, holding the membership table.</summary>
    /// <param name="count">How many nodes.</param>
    /// <param name="maxConcurrency">Each node's <c>--max-concurrency</c>.</param>
    /// <param name="timeout">How long each node may take to be ready, and the client to connect.</param>
    /// <param name="isolate">Whether the nodes run each task in a child process (<c>--isolate</c>).</param>
    /// <param name="redis">The Redis server for the membership table (<c>--redis</c>); null for development clustering.</param>
    /// <param name="tls">The CA of mutual TLS between nodes and client; null for none.</param>
    /// <param name="probeFolders">Each node's <c>--probe</c> folders.</param>
    public static async Task<LocalWorkerCluster> StartAsync(int count, int maxConcurrency, TimeSpan timeout, bool isolate = false, string? redis = null,
        DevCertificateAuthority? tls = null, params string[] probeFolders)
    {
        var cluster = new LocalWorkerCluster($"futures-{Guid.NewGuid():N}", redis, maxConcurrency, tls);
        try
        {
            List<string> extra = isolate ? ["--isolate"] : [];
            foreach (string folder in probeFolders) extra.AddRange(["--probe", folder]);
            WorkerNodeProcess first = await cluster.StartNodeAsync(timeout, extra);
            cluster._primary = redis is null ? first.Silo : null;
            await Task.WhenAll(Enumerable.Range(1, count - 1).Select(_ => cluster.StartNodeAsync(timeout, extra)));
            cluster._clientHost = await cluster.ConnectClientAsync(tls?.ClientTls("client", tls), timeout);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The primary's silo endpoint under development clustering (the first node); null with Redis.</summary>
    private IPEndPoint? _primary;

    /// <summary>How many nodes were started, for their names (<c>node0</c>, <c>node1</c>, ...).</summary>
    private int _started = -1;

    /// <summary>Starts one more node of the cluster, named <c>node{n}</c> in order of starting.</summary>
    public async Task<WorkerNodeProcess> StartNodeAsync(TimeSpan timeout, IEnumerable<string>? extra = null)
    {
        string name = $"node{Interlocked.Increment(ref _started)}";
        List<string> flags = ["--silo-port", $"{FreePort()}", "--gateway-port", $"{FreePort()}", "--cluster-id", ClusterId,
            "--name", name, "--max-concurrency", $"{_maxConcurrency}", "--fast-failure-detection", .. extra ?? []];
        if (Tls is not null) flags.AddRange(["--tls-certificate", Tls.IssuePfx(name), "--tls-client-ca", Tls.CaPem]);
        if (Redis is not null) flags.AddRange(["--redis", Redis]);
        else if (_primary is not null) flags.AddRange(["--primary", _primary.ToString()]);
        WorkerNodeProcess node = await WorkerNodeProcess.StartAsync(flags, timeout);
        lock (_nodes) _nodes.Add(node);
        return node;
    }

    /// <summary>Starts a client of the cluster (the caller disposes it), with <paramref name="tls"/> as its TLS settings or without TLS.</summary>
    public async Task<IHost> ConnectClientAsync(NodeTls? tls, TimeSpan timeout)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            if (Redis is not null) client.UseRedisClustering(Redis);
            else client.UseStaticClustering(_nodes.Select(n => n.Gateway).ToArray());
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = "futures";
            });
            if (tls is not null) client.UseTls(tls.Certificate, tls.Configure);
        });
        IHost host = builder.Build();
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await host.StartAsync(cts.Token);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
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
