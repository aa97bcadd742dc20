using Futures.Tests;

namespace Futures.Orleans.Tests.InProcess;

/// <summary>The executor contract suite that every pool runs, on the two-silo in-process cluster; MaxInFlight plays maxWorkers.</summary>
[Collection(InProcessClusterCollection.Name)]
public sealed class OrleansExecutorContractTests(InProcessCluster fixture) : ExecutorContractTests
{
    protected override Executor CreateExecutor(int maxWorkers) =>
        new OrleansExecutor(fixture.Client, new OrleansExecutorOptions { MaxInFlight = maxWorkers });
}
