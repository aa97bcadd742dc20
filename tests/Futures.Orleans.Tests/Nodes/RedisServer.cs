using System.Diagnostics;
using System.Net.Sockets;

namespace Futures.Orleans.Tests.Nodes;

/// <summary>A real <c>redis-server</c> (Debian package <c>redis-server</c>; <c>.ci/run</c> installs it) on a free loopback port, holding nothing on disk; disposing stops it.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private RedisServer(Process process, string folder, string host, int port)
    {
        _process = process;
        _folder = folder;
        Endpoint = $"{host}:{port}";
    }

    /// <summary>Where clients connect, e.g. <c>127.0.0.1:40123</c>: the value of <c>--redis</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Starts a server on <paramref name="host"/> and waits until it accepts connections.</summary>
    /// <param name="timeout">How long it may take.</param>
    /// <param name="host">The address it listens on.</param>
    /// <param name="prefix">A command that runs it, e.g. <c>["ip", "netns", "exec", "ns1"]</c>; null to run it here.</param>
    public static async Task<RedisServer> StartAsync(TimeSpan timeout, string host = "127.0.0.1", IReadOnlyList<string>? prefix = null)
    {
        string server = FindServer();
        int port = LocalWorkerCluster.FreePort();
        string folder = Directory.CreateTempSubdirectory("futures-redis-").FullName;
        string[] command = [.. prefix ?? [], server, "--bind", host, "--port", $"{port}", "--save", "", "--appendonly", "no", "--dir", folder, "--protected-mode", "no"];
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in command.Skip(1)) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var redis = new RedisServer(process, folder, host, port);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new List<string>();
        void OnLine(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output) output.Add(e.Data);
            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal)) ready.TrySetResult();
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Task first = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(timeout));
        if (first == ready.Task) return redis;
        await redis.DisposeAsync();
        lock (output) throw new InvalidOperationException($"redis-server did not start on {host}:{port}:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
    }

    private static string FindServer()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin"))
        {
            string candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("redis-server is not installed: `apt-get install redis-server` (.ci/run does it when it is missing).");
    }

    /// <summary>Kills the server, waits for it to exit and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
