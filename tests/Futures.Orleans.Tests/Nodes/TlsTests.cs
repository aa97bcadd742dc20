using Futures.Orleans.Worker;
using Microsoft.Extensions.Hosting;

namespace Futures.Orleans.Tests.Nodes;

/// <summary>Mutual TLS between worker nodes and clients, with certificates the test makes.</summary>
public sealed class TlsTests : TestBase
{
    /// <summary>How long a refused client tries before its start is given up (a trusted one connects in about a second).</summary>
    private static readonly TimeSpan RefusedAfter = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Tls_TrustedClientRunsTasks_UntrustedOrPlainClientIsRefused()
    {
        using DevCertificateAuthority ca = DevCertificateAuthority.Create();
        using DevCertificateAuthority other = DevCertificateAuthority.Create("other-ca");
        LocalWorkerCluster cluster = await LocalWorkerCluster.StartAsync(2, maxConcurrency: 2, UnexpectedTimeout, tls: ca);
        try
        {
            // Trusted: tasks run on both nodes (silo-to-silo traffic is TLS too), code uploaded over TLS.
            using (var executor = new OrleansExecutor(cluster.Client))
            {
                int[] pids = [.. Enumerable.Range(0, 12).Select(_ => executor.Submit(NodeTasks.Pid, 50)).Select(f => f.Result(UnexpectedTimeout))];
                pids.Distinct().Should().BeEquivalentTo(cluster.Nodes.Select(n => n.Pid));
            }

            // A certificate from another CA, or none at all: the gateway refuses the connection in the
            // handshake, before the client can send a single message (so no task and no upload). The
            // client retries its gateways until its start is given up.
            Func<Task> untrusted = async () => (await cluster.ConnectClientAsync(other.ClientTls("intruder", ca), RefusedAfter)).Dispose();
            await untrusted.Should().ThrowAsync<Exception>();
            Func<Task> plain = async () => (await cluster.ConnectClientAsync(null, RefusedAfter)).Dispose();
            await plain.Should().ThrowAsync<Exception>();

            // The nodes are unharmed: the trusted client goes on.
            using var after = new OrleansExecutor(cluster.Client);
            after.Submit(NodeTasks.Pid, 0).Result(UnexpectedTimeout).Should().BeOneOf(cluster.Nodes.Select(n => n.Pid));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
        cluster.AllExited.Should().BeTrue("no worker node outlives its test");
    }

    [Fact]
    public async Task NonLoopbackAddressWithoutTls_NodeRefusesToStart()
    {
        // 192.0.2.1 is a documentation address: the node refuses before it binds or sends anything.
        Func<Task> start = () => WorkerNodeProcess.StartAsync(["--address", "192.0.2.1"], UnexpectedTimeout);
        (await start.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("exited with code 2").And.Contain("Refusing to listen on 192.0.2.1 without TLS");
    }

    [Fact]
    public void CommandLine_InsecureOrTls_AllowNonLoopback()
    {
        WorkerCommandLine.Parse(["--address", "192.0.2.1", "--insecure"]).Warning.Should().Contain("without TLS").And.Contain("anyone");
        WorkerCommandLine.Parse(["--address", "192.0.2.1", "--tls-certificate", "n.pfx", "--tls-client-ca", "ca.pem"]).Warning.Should().BeNull();
        WorkerCommandLine.Parse([]).Warning.Should().BeNull();
        Action half = () => WorkerCommandLine.Parse(["--tls-certificate", "n.pfx"]);
        half.Should().Throw<ArgumentException>().WithMessage("*both*");
    }
}
