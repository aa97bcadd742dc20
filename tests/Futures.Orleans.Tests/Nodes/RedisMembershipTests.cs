using System.Diagnostics;
using Futures.Orleans.Worker;

namespace Futures.Orleans.Tests.Nodes;

/// <summary>Production membership: the table lives in a real Redis server, so no node is special.</summary>
public sealed class RedisMembershipTests : TestBase
{
    private static (int Id, int Pid) Marker(string path) =>
        (int.Parse(Path.GetFileNameWithoutExtension(path)), int.Parse(Path.GetExtension(path)[1..]));

    [Fact]
    public async Task Redis_FirstNodeKilledMidTask_ClusterGoesOnAndNewNodesJoin()
    {
        await using RedisServer redis = await RedisServer.StartAsync(UnexpectedTimeout);
        LocalWorkerCluster cluster = await LocalWorkerCluster.StartAsync(3, maxConcurrency: 2, UnexpectedTimeout, redis: redis.Endpoint);
        string folder = Directory.CreateTempSubdirectory("futures-orleans-").FullName;
        try
        {
            using var executor = new OrleansExecutor(cluster.Client, new OrleansExecutorOptions { RetriesOnNodeLoss = 1 });
            executor.Submit(NodeTasks.Pid, 0).Result(UnexpectedTimeout); // the upload, out of the way

            // The first node started, which under development clustering would hold the membership
            // table, dies while it runs tasks.
            WorkerNodeProcess first = cluster.Nodes[0];
            Future<int>[] futures = [.. Enumerable.Range(0, 12).Select(i => executor.Submit(NodeTasks.Marked, folder, i, 3000))];
            SpinWait.SpinUntil(() => Directory.GetFiles(folder).Select(Marker).Any(m => m.Pid == first.Pid && executor.ObservedRunning(futures[m.Id])), UnexpectedTimeout)
                .Should().BeTrue("a task runs on the first node");
            var clock = Stopwatch.StartNew();
            first.Kill();

            // Its tasks are retried elsewhere; every future completes, none on the dead node.
            foreach (Future<int> future in futures) future.Result(UnexpectedTimeout + UnexpectedTimeout).Should().NotBe(first.Pid);
            Console.WriteLine($"12 tasks done {clock.ElapsedMilliseconds} ms after the first node's SIGKILL");

            // The cluster goes on: new tasks run, and a node started now joins through Redis alone.
            int[] after = [.. Enumerable.Range(0, 6).Select(_ => executor.Submit(NodeTasks.Pid, 10)).Select(f => f.Result(UnexpectedTimeout))];
            after.Should().NotContain(first.Pid);
            WorkerNodeProcess late = await cluster.StartNodeAsync(UnexpectedTimeout);
            SpinWait.SpinUntil(() => Enumerable.Range(0, 6).Select(_ => executor.Submit(NodeTasks.Pid, 20)).ToArray().Any(f => f.Result(UnexpectedTimeout) == late.Pid), UnexpectedTimeout)
                .Should().BeTrue("tasks reach the node that joined after the first one died");
        }
        finally
        {
            await cluster.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
        cluster.AllExited.Should().BeTrue("no worker node outlives its test");
    }
}
