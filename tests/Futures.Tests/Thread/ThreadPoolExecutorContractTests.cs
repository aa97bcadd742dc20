namespace Futures.Tests;

/// <summary>The executor contract suite on <see cref="ThreadPoolExecutor"/>.</summary>
public sealed class ThreadPoolExecutorContractTests : ExecutorContractTests
{
    protected override Executor CreateExecutor(int maxWorkers) => new ThreadPoolExecutor(maxWorkers);
}

/// <summary>The executor contract suite on <see cref="ThreadPoolExecutor"/> with a bounded queue, which takes the Wait path when full.</summary>
public sealed class BoundedThreadPoolExecutorContractTests : ExecutorContractTests
{
    protected override Executor CreateExecutor(int maxWorkers) => new ThreadPoolExecutor(maxWorkers, maxQueueSize: 2);
}

/// <summary>The async-work suite on <see cref="ThreadPoolExecutor"/>.</summary>
public sealed class ThreadPoolAsyncWorkContractTests : AsyncWorkContractTests
{
    protected override Executor CreateExecutor(int maxWorkers) => new ThreadPoolExecutor(maxWorkers);
}
