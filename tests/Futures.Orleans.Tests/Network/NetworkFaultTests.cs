using System.Diagnostics;
using Futures.Orleans.Tests.Client;
using Futures.Orleans.Tests.Nodes;
using Futures.Orleans.Worker;

namespace Futures.Orleans.Tests.Network;

/// <summary>A fact that runs only where network namespaces can be made (root, <c>ip</c>); never skipped under CI.</summary>
public sealed class NetworkFactAttribute : FactAttribute
{
    public NetworkFactAttribute() => Skip = NetworkLab.SkipReason;
}

/// <summary>
/// Nodes on a real network: each node in a network namespace of its own with its own address, the
/// client (and Redis, the membership table) in another, joined by a bridge; mutual TLS throughout, as
/// a production cluster would run. A node is SIGKILLed, or cut off while it runs tasks (its bridge
/// port down: no reset, connections just time out), under Orleans' default failure detection and
/// under <c>--fast-failure-detection</c>.
/// </summary>
public sealed class NetworkFaultTests : TestBase
{
    public enum Fault { Kill, Cut }

    /// <summary>How long each task works: long enough to be running on every node when the fault comes.</summary>
    private const int WorkMs = 6000;

    /// <summary>Tasks submitted: two per node run (MaxConcurrency 2), as many wait behind them.</summary>
    private const int Tasks = 12;

    /// <summary>Failure detection plus a few seconds: the bound on a lost task's failure after the fault.</summary>
    /// <remarks>
    /// Orleans' defaults: probes every 5 s (<c>ProbeTimeout</c>), 3 missed, 2 votes, indirect probes
    /// first: about 10 s for a killed node (its connections reset), about 70 s for a cut-off one (measured
    /// at load 20-30 on 2 cores); fast: 2 missed 400 ms probes, 1 vote.
    /// </remarks>
    private static TimeSpan DetectionBound(bool fast) => fast ? TimeSpan.FromSeconds(15) : TimeSpan.FromSeconds(120);

    [NetworkFact]
    public Task Kill_FastDetection() => RunAsync(Fault.Kill, fast: true);

    [NetworkFact]
    public Task Cut_FastDetection() => RunAsync(Fault.Cut, fast: true);

    [NetworkFact]
    public Task Kill_DefaultDetection() => RunAsync(Fault.Kill, fast: false);

    [NetworkFact]
    public Task Cut_DefaultDetection() => RunAsync(Fault.Cut, fast: false);

    private static async Task RunAsync(Fault fault, bool fast)
    {
        string folder = Directory.CreateTempSubdirectory("futures-net-").FullName;
        NetworkLab lab = NetworkLab.Create();
        var nodes = new List<WorkerNodeProcess>();
        RedisServer? redis = null;
        LineProcess? client = null;
        DevCertificateAuthority ca = DevCertificateAuthority.Create();
        try
        {
            NetworkLab.Host clientHost = lab.AddHost("cl");
            NetworkLab.Host[] nodeHosts = [.. Enumerable.Range(0, 3).Select(i => lab.AddHost($"n{i}"))];
            redis = await RedisServer.StartAsync(UnexpectedTimeout, host: clientHost.Address, prefix: clientHost.Exec);
            string clusterId = $"net-{Guid.NewGuid():N}";
            nodes.AddRange(await Task.WhenAll(nodeHosts.Select((host, i) =>
            {
                List<string> flags = ["--address", host.Address, "--silo-port", "11111", "--gateway-port", "30000", "--redis", redis.Endpoint,
                    "--cluster-id", clusterId, "--name", $"node{i}", "--max-concurrency", "2",
                    "--tls-certificate", ca.IssuePfx($"node{i}"), "--tls-client-ca", ca.CaPem];
                if (fast) flags.Add("--fast-failure-detection");
                return WorkerNodeProcess.StartAsync(flags, UnexpectedTimeout + UnexpectedTimeout, prefix: host.Exec);
            })));

            string clientPfx = ca.IssuePfx("client");
            client = LineProcess.Start([.. clientHost.Exec, WorkerNodeProcess.DotnetHost, "exec", typeof(NetTasks).Assembly.Location,
                "--redis", redis.Endpoint, "--cluster-id", clusterId, "--tls-certificate", clientPfx, "--tls-client-ca", ca.CaPem,
                "--retries", "0", "--folder", folder]);
            (await client.WaitUntilAsync(l => l.Any(x => x.Line == "ready"), UnexpectedTimeout + UnexpectedTimeout)).Should().BeTrue(client.Tail());
            client.Send($"submit {Tasks} {WorkMs}");

            // The victim: a node other than the first, once the client has seen one of its tasks run.
            WorkerNodeProcess victim = nodes[1];
            NetworkLab.Host victimHost = nodeHosts[1];
            (await client.WaitUntilAsync(l => RunningOn(l, folder, victim.Pid).Except(Done(l).Keys).Any(), UnexpectedTimeout)).Should().BeTrue(client.Tail());

            TimeSpan faultAt = client.Now;
            if (fault == Fault.Kill) victim.Kill();
            else lab.Cut(victimHost);
            // Running there at the fault as far as the client knows: seen running, and not done yet.
            (TimeSpan At, string Line)[] before = [.. client.Lines.Where(l => l.At < faultAt)];
            HashSet<int> lost = RunningOn(before, folder, victim.Pid);
            lost.ExceptWith(Done(before).Keys);

            // Every future completes, each once: the victim's running tasks fail naming it, the rest succeed
            // elsewhere. (Calls to the other nodes that the client routes through the victim's gateway wait
            // until the client drops that gateway, once the cluster has declared it dead.)
            TimeSpan bound = DetectionBound(fast);
            (await client.WaitUntilAsync(l => Done(l).Count == Tasks, bound + TimeSpan.FromMilliseconds(3 * WorkMs) + UnexpectedTimeout)).Should().BeTrue(client.Tail());
            (TimeSpan At, string Line)[] lines = client.Lines;
            Dictionary<int, (TimeSpan At, string Outcome)> done = Done(lines);
            foreach (int id in lost)
            {
                done[id].Outcome.Should().StartWith("err WorkerLostException").And.Contain($"pid {victim.Pid}");
                TimeSpan detected = done[id].At - faultAt;
                Console.WriteLine($"{fault} ({(fast ? "fast" : "default")} detection): task {id} failed {detected.TotalMilliseconds:F0} ms after the fault");
                detected.Should().BeLessThan(bound);
            }
            foreach (var (id, (at, outcome)) in done)
            {
                if (at < faultAt) outcome.Should().StartWith("ok ", "nothing failed before the fault");
                else if (outcome.StartsWith("ok ", StringComparison.Ordinal)) outcome.Should().NotBe($"ok {victim.Pid}", "the victim answers nothing after the fault");
                else outcome.Should().StartWith("err WorkerLostException", "only the victim's tasks fail").And.Contain($"pid {victim.Pid}");
            }
            lines.Should().NotContain(l => l.Line.StartsWith("callback-failed", StringComparison.Ordinal));

            if (fault == Fault.Cut)
            {
                // The cut-off node finishes its tasks anyway, then comes back: nothing changes for the client.
                SpinWait.SpinUntil(() => lost.All(id => File.Exists(Path.Combine(folder, $"{id}.{victim.Pid}.end"))), TimeSpan.FromMilliseconds(2 * WorkMs) + UnexpectedTimeout)
                    .Should().BeTrue("the cut-off node runs its tasks to their end");
                lab.Restore(victimHost);
                (await client.WaitUntilAsync(l => DoneLines(l).Count() > Tasks, TimeSpan.FromSeconds(5)))
                    .Should().BeFalse("a late answer of the node that came back completes nothing again:" + Environment.NewLine + client.Tail());
            }
            client.Send("report");
            (await client.WaitUntilAsync(l => l.Any(x => x.Line == "report-end"), UnexpectedTimeout)).Should().BeTrue(client.Tail());
            foreach (var (id, (_, outcome)) in done) client.Lines.Should().Contain(l => l.Line == $"final {id} {outcome}");
            DoneLines(client.Lines).GroupBy(id => id).Should().OnlyContain(g => g.Count() == 1, "each future completes once");
        }
        finally
        {
            if (client is not null) await client.DisposeAsync();
            foreach (WorkerNodeProcess node in nodes) await node.DisposeAsync();
            if (redis is not null) await redis.DisposeAsync();
            lab.Dispose();
            ca.Dispose();
            Directory.Delete(folder, recursive: true);
        }
        lab.AllGone.Should().BeTrue("every namespace the test made is deleted");
        nodes.Should().OnlyContain(n => n.HasExited, "no worker node outlives its test");
    }

    /// <summary>Tasks started on <paramref name="pid"/> (their marker file says so) that the client has reported running.</summary>
    private static HashSet<int> RunningOn((TimeSpan At, string Line)[] lines, string folder, int pid)
    {
        var running = lines.Where(l => l.Line.StartsWith("running ", StringComparison.Ordinal)).Select(l => int.Parse(l.Line[8..])).ToHashSet();
        return [.. running.Where(id => File.Exists(Path.Combine(folder, $"{id}.{pid}")))];
    }

    private static IEnumerable<int> DoneLines((TimeSpan At, string Line)[] lines) =>
        lines.Where(l => l.Line.StartsWith("done ", StringComparison.Ordinal)).Select(l => int.Parse(l.Line.Split(' ')[1]));

    /// <summary>Each task's first outcome and when it came, e.g. <c>{3: (12.5 s, "ok 4242")}</c>.</summary>
    private static Dictionary<int, (TimeSpan At, string Outcome)> Done((TimeSpan At, string Line)[] lines)
    {
        var done = new Dictionary<int, (TimeSpan, string)>();
        foreach (var (at, line) in lines)
        {
            if (!line.StartsWith("done ", StringComparison.Ordinal)) continue;
            string[] words = line.Split(' ', 3);
            done.TryAdd(int.Parse(words[1]), (at, words[2]));
        }
        return done;
    }
}
