using System.Net;
using System.Net.Sockets;
using Futures.Orleans.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace ClusterDemo;

/// <summary>
/// N <c>futures-worker</c> processes on loopback, started as you would start them by hand on each
/// machine, and an ordinary Orleans client of their cluster. Disposing stops the client and every node.
/// </summary>
internal sealed class LocalNodes : IAsyncDisposable
{
    /// <summary>Tasks each node runs at once.</summary>
    public static readonly int MaxConcurrency = Environment.ProcessorCount;

    private readonly List<WorkerNodeProcess> _nodes = [];
    private IHost? _client;

    /// <summary>The throwaway CA of the nodes' and the client's certificates, with --tls; null without.</summary>
    private DevCertificateAuthority? _ca;

    public IReadOnlyList<WorkerNodeProcess> Nodes => _nodes;

    public IClusterClient Client => _client!.Services.GetRequiredService<IClusterClient>();

    /// <summary>Starts <paramref name="count"/> nodes and connects a client.</summary>
    /// <param name="redis">The Redis server of the membership table (<c>--redis HOST:PORT</c>), where no node is special; null for development clustering, whose table lives in the first node.</param>
    /// <param name="tls">Whether nodes and client talk mutual TLS, with certificates of a CA made for the run.</param>
    public static async Task<LocalNodes> StartAsync(int count, TimeSpan timeout, string? redis, bool tls)
    {
        var cluster = new LocalNodes();
        try
        {
            DevCertificateAuthority? ca = cluster._ca = tls ? DevCertificateAuthority.Create("cluster-demo-ca") : null;
            string clusterId = $"demo-{Guid.NewGuid():N}";
            List<string> Flags(int index, IPEndPoint? primary)
            {
                List<string> flags = ["--silo-port", $"{FreePort()}", "--gateway-port", $"{FreePort()}", "--cluster-id", clusterId,
                    "--name", $"node{index}", "--max-concurrency", $"{MaxConcurrency}"];
                if (ca is not null) flags.AddRange(["--tls-certificate", ca.IssuePfx($"node{index}"), "--tls-client-ca", ca.CaPem]);
                if (redis is not null) flags.AddRange(["--redis", redis]);
                else if (primary is not null) flags.AddRange(["--primary", primary.ToString()]);
                return flags;
            }
            WorkerNodeProcess first = await WorkerNodeProcess.StartAsync(Flags(0, null), timeout);
            cluster._nodes.Add(first);
            foreach (Task<WorkerNodeProcess> node in Enumerable.Range(1, count - 1).Select(i => WorkerNodeProcess.StartAsync(Flags(i, first.Silo), timeout)).ToArray())
            {
                cluster._nodes.Add(await node);
            }

            HostApplicationBuilder builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.UseOrleansClient(client =>
            {
                // The same cluster and service ids as the nodes' --cluster-id and --service-id.
                client.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = "futures"; });
                if (redis is not null) client.UseRedisClustering(redis);
                else client.UseStaticClustering(cluster._nodes.Select(node => node.Gateway).ToArray());
                if (ca is not null)
                {
                    NodeTls clientTls = ca.ClientTls("demo-client", ca);
                    client.UseTls(clientTls.Certificate, clientTls.Configure);
                }
            });
            cluster._client = builder.Build();
            await cluster._client.StartAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _client.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // The nodes go next anyway.
            }
            _client.Dispose();
        }
        foreach (WorkerNodeProcess node in _nodes) await node.DisposeAsync();
        _ca?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
