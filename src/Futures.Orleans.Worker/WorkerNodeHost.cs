using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Futures.Orleans.Worker;

/// <summary>Builds and runs the worker node's silo from the command line.</summary>
internal static class WorkerNodeHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(WorkerCommandLine.Usage);
            return 0;
        }
        WorkerCommandLine options;
        try
        {
            options = WorkerCommandLine.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(WorkerCommandLine.Usage);
            return 2;
        }

        if (options.Warning is { } warning) Console.Error.WriteLine(warning);
        NodeTls? tls;
        try
        {
            tls = options.TlsCertificate is { } pfx ? NodeTls.Load(pfx, options.TlsClientCa!) : null;
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Cannot load the TLS certificates: {e.Message}");
            return 2;
        }

        string name = options.Name ?? $"worker-{Environment.ProcessId}";
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.ConfigureEndpoints(options.Address, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
            if (options.Redis is { } redis) silo.UseRedisClustering(redis);
            else silo.UseDevelopmentClustering(options.Primary ?? new IPEndPoint(options.Address, options.SiloPort));
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            silo.Configure<SiloOptions>(o => o.SiloName = name);
            if (options.FastFailureDetection) silo.Configure<ClusterMembershipOptions>(FastFailureDetection.Apply);
            if (tls is not null) silo.UseTls(tls.Certificate, tls.Configure);
            silo.AddFuturesWorker(o =>
            {
                o.MaxConcurrency = options.MaxConcurrency;
                o.IsolateInProcesses = options.Isolate;
                o.ProbeFolders.AddRange(options.ProbeFolders);
            });
        });
        using IHost host = builder.Build();
        if (options.ParentPid is { } parent) WatchParent(parent);
        await host.StartAsync();
        // The line a launcher waits for (tests, ClusterDemo).
        Console.WriteLine($"{WorkerNodeProcess.ReadyPrefix} name={name} silo={options.Address}:{options.SiloPort} gateway={options.Address}:{options.GatewayPort} pid={Environment.ProcessId}");
        await host.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>Stops the node when the process that started it is gone, so that no node outlives a test or a demo.</summary>
    private static void WatchParent(int parentPid)
    {
        var thread = new Thread(() =>
        {
            while (IsAlive(parentPid)) Thread.Sleep(250);
            // Leave at once: a graceful silo stop could wait on a cluster that is gone too.
            Environment.Exit(86);
        })
        { IsBackground = true, Name = "parent watch" };
        thread.Start();
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
