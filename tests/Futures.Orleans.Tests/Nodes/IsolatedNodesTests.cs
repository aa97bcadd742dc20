using System.Diagnostics;
using Futures.Orleans.Worker;

namespace Futures.Orleans.Tests.Nodes;

/// <summary>Tier 2 with <c>--isolate</c>: a real worker node process that runs each task in a child process of its own process pool.</summary>
public sealed class IsolatedNodesTests : TestBase
{
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

    [Fact]
    public async Task Isolate_UploadedCodeRunsInChildren_TaskTimeoutKillsTheChild()
    {
        LocalWorkerCluster cluster = await LocalWorkerCluster.StartAsync(1, maxConcurrency: 2, UnexpectedTimeout, isolate: true);
        string folder = Directory.CreateTempSubdirectory("futures-orleans-").FullName;
        var children = new HashSet<int>();
        try
        {
            int node = cluster.Nodes[0].Pid;
            using var executor = new OrleansExecutor(cluster.Client);

            // The node never had this assembly: uploaded to the node, saved for its children, run there from bytes.
            int child = executor.Submit(NodeTasks.Pid, 0).Result(UnexpectedTimeout);
            child.Should().NotBe(node).And.NotBe(Environment.ProcessId);
            children.Add(child);
            executor.Submit(NodeTasks.Origin).Result(UnexpectedTimeout).Should().Be("|True");

            // TaskTimeout stops the task for real: its child process is killed (and replaced).
            using var limited = new OrleansExecutor(cluster.Client, new OrleansExecutorOptions { TaskTimeout = TimeSpan.FromSeconds(1) });
            Exception? e = limited.Submit(NodeTasks.Marked, folder, 1, 60_000).Exception(UnexpectedTimeout);
            e.Should().BeOfType<TimeoutException>();
            int overran = int.Parse(Path.GetExtension(Directory.GetFiles(folder).Single())[1..]);
            children.Add(overran);
            overran.Should().NotBe(node);
            e!.Message.Should().Contain($"{overran}");
            SpinWait.SpinUntil(() => !IsAlive(overran), UnexpectedTimeout).Should().BeTrue("the overrunning task's process is killed");
            int replacement = limited.Submit(NodeTasks.Pid, 0).Result(UnexpectedTimeout);
            replacement.Should().NotBe(overran).And.NotBe(node);
            children.Add(replacement);
            executor.Submit(NodeTasks.Pid, 0).Result(UnexpectedTimeout).Should().NotBe(node);
        }
        finally
        {
            await cluster.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
        cluster.AllExited.Should().BeTrue("no worker node outlives its test");
        SpinWait.SpinUntil(() => !children.Any(IsAlive), UnexpectedTimeout).Should().BeTrue("the node's children exit with it");
    }
}
