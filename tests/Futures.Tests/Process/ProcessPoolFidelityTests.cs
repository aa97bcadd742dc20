using Futures.Tests.Codec;

namespace Futures.Tests;

/// <summary>The fidelity matrix through a real worker process.</summary>
[Collection("ProcessPool")]
public sealed class ProcessPoolFidelityTests : FidelityMatrixTests, IDisposable
{
    private readonly ProcessPoolExecutor _pool = new(maxWorkers: 1);

    protected override Executor Executor => _pool;

    public void Dispose() => _pool.Dispose();
}
