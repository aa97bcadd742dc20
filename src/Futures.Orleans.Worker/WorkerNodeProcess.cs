using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Futures.Orleans.Worker;

/// <summary>A <c>futures-worker</c> node started as a child process of this one, for programs that run nodes on one machine (demos, tests).</summary>
/// <remarks>
/// Reference the tool's project (or package) to start nodes from code: <see cref="StartAsync"/> runs
/// this very assembly with <c>dotnet exec</c>, passes <c>--parent-pid</c> so that the node never
/// outlives its starter, and waits for the line the node prints once its silo is up
/// (<see cref="ReadyPrefix"/>). Disposing kills the node and waits for it to exit.
/// </remarks>
public sealed class WorkerNodeProcess : IAsyncDisposable
{
    /// <summary>How the line that a node prints once it is up begins; the rest is <c>name=... silo=IP:PORT gateway=IP:PORT pid=N</c>.</summary>
    public const string ReadyPrefix = "futures-worker ready";

    /// <summary>Output lines of the node (stdout and stderr), kept for failure messages. Guarded by itself.</summary>
    private readonly List<string> _output = [];

    private WorkerNodeProcess(Process process) => Process = process;

    /// <summary>The process: <c>dotnet</c> running the tool, or the <c>prefix</c> command that runs it.</summary>
    public Process Process { get; }

    /// <summary>The node's process id, as the node reports it.</summary>
    public int Pid { get; private set; }

    /// <summary>The node's name (<c>--name</c>, or <c>worker-{pid}</c>).</summary>
    public string Name { get; private set; } = "";

    /// <summary>The node's silo endpoint, e.g. <c>127.0.0.1:11111</c>.</summary>
    public IPEndPoint Silo { get; private set; } = new(IPAddress.None, 0);

    /// <summary>The endpoint clients connect to, e.g. <c>127.0.0.1:30000</c>.</summary>
    public IPEndPoint Gateway { get; private set; } = new(IPAddress.None, 0);

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => Process.HasExited;

    /// <summary>The last lines the node printed, for a failure message.</summary>
    /// <param name="count">How many lines, at most.</param>
    /// <returns>The lines, joined by new lines.</returns>
    public string LastOutput(int count = 30)
    {
        lock (_output) return string.Join(Environment.NewLine, _output.TakeLast(count));
    }

    /// <summary>The tool's own assembly, which <c>dotnet exec</c> runs.</summary>
    public static string ToolPath => typeof(WorkerNodeProcess).Assembly.Location;

    /// <summary>Starts a node with <paramref name="arguments"/> (the tool's flags) and waits until it is up.</summary>
    /// <param name="arguments">The node's flags, e.g. <c>["--silo-port", "11111", "--redis", "127.0.0.1:6379"]</c>.</param>
    /// <param name="timeout">How long the node may take to be up.</param>
    /// <param name="prefix">A command that runs the node, e.g. <c>["ip", "netns", "exec", "ns1"]</c>; it must exec the node in place (same pid). Null to start <c>dotnet</c> directly.</param>
    /// <returns>The running node.</returns>
    /// <exception cref="InvalidOperationException">The node exited, or was not up in time; the message holds its last output. The process is gone then.</exception>
    public static async Task<WorkerNodeProcess> StartAsync(IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyList<string>? prefix = null)
    {
        string[] command = [.. prefix ?? [], DotnetHost, "exec", ToolPath, .. arguments, "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)];
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in command.Skip(1)) start.ArgumentList.Add(arg);
        var node = new WorkerNodeProcess(Process.Start(start)!);
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (node._output) node._output.Add(e.Data);
            if (e.Data.StartsWith(ReadyPrefix, StringComparison.Ordinal)) ready.TrySetResult(e.Data);
        }
        node.Process.OutputDataReceived += OnLine;
        node.Process.ErrorDataReceived += OnLine;
        node.Process.BeginOutputReadLine();
        node.Process.BeginErrorReadLine();
        Task exited = node.Process.WaitForExitAsync();
        Task first = await Task.WhenAny(ready.Task, exited, Task.Delay(timeout)).ConfigureAwait(false);
        if (first == ready.Task)
        {
            node.ReadReadyLine(await ready.Task.ConfigureAwait(false));
            return node;
        }
        string why = first == exited ? $"exited with code {node.Process.ExitCode}" : "was not up in time";
        await node.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"Worker node ({string.Join(' ', command)}) {why}:{Environment.NewLine}{node.LastOutput()}");
    }

    /// <summary>Reads <c>futures-worker ready name=node0 silo=127.0.0.1:11111 gateway=127.0.0.1:30000 pid=4242</c>.</summary>
    private void ReadReadyLine(string line)
    {
        foreach (string part in line[ReadyPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq < 0) continue;
            string value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "name": Name = value; break;
                case "silo": Silo = IPEndPoint.Parse(value); break;
                case "gateway": Gateway = IPEndPoint.Parse(value); break;
                case "pid": Pid = int.Parse(value, CultureInfo.InvariantCulture); break;
            }
        }
    }

    /// <summary>SIGKILLs the node at once (on Linux, <see cref="System.Diagnostics.Process.Kill()"/> sends SIGKILL).</summary>
    public void Kill()
    {
        if (!Process.HasExited) Process.Kill();
    }

    /// <summary>Kills the node (and any child process of it) and waits for it to exit.</summary>
    /// <returns>A task that completes when the process has exited.</returns>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
    }

    /// <summary>The <c>dotnet</c> host that runs this process, so that a node (or another .NET program started beside it) runs on the same runtime.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path
        : "dotnet";
}
