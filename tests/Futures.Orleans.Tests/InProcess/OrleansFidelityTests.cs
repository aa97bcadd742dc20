using Futures.Tests.Codec;

namespace Futures.Orleans.Tests.InProcess;

/// <summary>The fidelity matrix of what crosses, on the two-silo in-process cluster: one codec, the same rules as the process pool.</summary>
[Collection(InProcessClusterCollection.Name)]
public sealed class OrleansFidelityTests : FidelityMatrixTests, IDisposable
{
    private readonly OrleansExecutor _executor;

    public OrleansFidelityTests(InProcessCluster fixture) => _executor = new OrleansExecutor(fixture.Client);

    protected override Executor Executor => _executor;

    public void Dispose() => _executor.Dispose();
}
