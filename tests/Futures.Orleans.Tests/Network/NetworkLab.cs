using System.Diagnostics;

namespace Futures.Orleans.Tests.Network;

/// <summary>
/// A small network made for one test: a switch namespace holding a bridge, and hosts, each a network
/// namespace of its own with one address, joined to the bridge by a veth pair. The addresses exist
/// only inside these namespaces. Disposing deletes every namespace (and with them the bridge and the
/// veths); the processes that run in them belong to the caller, who stops them first.
/// </summary>
/// <remarks>
/// Needs root and <c>ip</c> (iproute2), which CI has; see <see cref="SkipReason"/>. A host is cut off
/// by taking its bridge port down: its packets are dropped without a reset, as on a real partition.
/// </remarks>
public sealed class NetworkLab : IDisposable
{
    /// <summary>Namespace names start with this and the test process's pid, so that a later run can delete those of a run that died.</summary>
    private const string Prefix = "futlab";

    private static int s_labs;

    private readonly List<string> _namespaces = [];

    private readonly string _switch;

    private readonly int _subnet;

    private int _hosts;

    private NetworkLab()
    {
        string id = $"{Prefix}{Environment.ProcessId}x{Interlocked.Increment(ref s_labs)}";
        _switch = $"{id}sw";
        Id = id;
        _subnet = Random.Shared.Next(1, 255);
    }

    /// <summary>Why the network tests cannot run here (not root, or no <c>ip</c>); null when they can. Never a reason under CI (<c>CI=true</c>), where a missing piece must fail the test.</summary>
    public static string? SkipReason
    {
        get
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") return null;
            if (Environment.UserName != "root" && !IsRoot()) return "Network namespace tests need root (CI runs as root).";
            if (FindIp() is null) return "Network namespace tests need `ip` (iproute2): apt-get install iproute2.";
            return null;
        }
    }

    /// <summary>This lab's name, the prefix of its namespaces.</summary>
    public string Id { get; }

    /// <summary>Makes the switch: a namespace with a bridge. Deletes first the namespaces of earlier test processes that are gone.</summary>
    public static NetworkLab Create()
    {
        DeleteStale();
        var lab = new NetworkLab();
        try
        {
            lab.AddNamespace(lab._switch);
            Ip("-n", lab._switch, "link", "add", "br0", "type", "bridge");
            Ip("-n", lab._switch, "link", "set", "br0", "up");
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>A host of the lab: its namespace, its address, and the switch port it hangs on.</summary>
    public sealed record Host(string Namespace, string Address, string Port)
    {
        /// <summary>The command prefix that runs a program inside the host's namespace.</summary>
        public string[] Exec => [IpPath, "netns", "exec", Namespace];
    }

    /// <summary>Adds a host: a namespace with loopback up, and <c>eth0</c> with the next address (<c>10.77.N.1</c>, <c>.2</c>, ...) on the bridge.</summary>
    public Host AddHost(string name)
    {
        int index = Interlocked.Increment(ref _hosts);
        string ns = $"{Id}{name}";
        string port = $"p{index}";
        string address = $"10.77.{_subnet}.{index}";
        AddNamespace(ns);
        Ip("-n", ns, "link", "set", "lo", "up");
        Ip("-n", _switch, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Ip("-n", _switch, "link", "set", port, "master", "br0");
        Ip("-n", _switch, "link", "set", port, "up");
        Ip("-n", ns, "addr", "add", $"{address}/24", "dev", "eth0");
        Ip("-n", ns, "link", "set", "eth0", "up");
        return new Host(ns, address, port);
    }

    /// <summary>Cuts <paramref name="host"/> off: its bridge port goes down, its packets are dropped (no reset), as on a partition.</summary>
    public void Cut(Host host) => Ip("-n", _switch, "link", "set", host.Port, "down");

    /// <summary>Joins <paramref name="host"/> to the network again.</summary>
    public void Restore(Host host) => Ip("-n", _switch, "link", "set", host.Port, "up");

    private void AddNamespace(string ns)
    {
        Ip("netns", "add", ns);
        lock (_namespaces) _namespaces.Add(ns);
    }

    /// <summary>Deletes the lab's namespaces, hosts first; with them go their interfaces.</summary>
    public void Dispose()
    {
        string[] namespaces;
        lock (_namespaces) namespaces = [.. _namespaces];
        foreach (string ns in namespaces.Reverse()) TryIp("netns", "del", ns);
    }

    /// <summary>Whether every namespace of this lab is gone.</summary>
    public bool AllGone => !ListNamespaces().Any(ns => ns.StartsWith(Id, StringComparison.Ordinal));

    private static void DeleteStale()
    {
        foreach (string ns in ListNamespaces())
        {
            if (!ns.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            string digits = new([.. ns[Prefix.Length..].TakeWhile(char.IsAsciiDigit)]);
            if (int.TryParse(digits, out int pid) && pid != Environment.ProcessId && !IsAlive(pid)) TryIp("netns", "del", ns);
        }
    }

    private static IEnumerable<string> ListNamespaces() =>
        Run(FindIp() ?? "ip", ["netns", "list"]).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0]);

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Ip(params string[] args)
    {
        var (code, output) = Run(FindIp() ?? "ip", args);
        if (code != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({code}): {output}");
    }

    private static void TryIp(params string[] args) => Run(FindIp() ?? "ip", args);

    private static (int Code, string Output) Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The <c>ip</c> program, e.g. <c>/usr/sbin/ip</c>.</summary>
    public static string IpPath => FindIp() ?? "ip";

    private static string? FindIp() =>
        new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.FirstOrDefault(File.Exists);

    private static bool IsRoot()
    {
        try
        {
            return File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
        }
        catch (IOException)
        {
            return false;
        }
    }
}
