namespace Futures.Tests;

/// <summary>
/// The executor contract suite on a custom executor that overrides only Schedule and Shutdown:
/// every Submit, SubmitAsync and Map shape must work through that one extension point.
/// </summary>
public sealed class CustomExecutorContractTests : ExecutorContractTests
{
    protected override Executor CreateExecutor(int maxWorkers) => new ThreadPerItemExecutor();
}
