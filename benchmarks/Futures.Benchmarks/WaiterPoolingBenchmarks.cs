using BenchmarkDotNet.Attributes;

namespace Futures.Benchmarks;

/// <summary>
/// A short Wait that has to install a waiter (the futures are pending, the timeout is zero): the
/// case where pooling the waiter objects shows, since nothing else dominates the allocations.
/// </summary>
[MemoryDiagnoser]
public class WaiterPoolingBenchmarks
{
    private readonly Future<int>[] _pending = [new(), new()];

    [Benchmark]
    public int WaitPendingZeroTimeout() => Future.Wait(_pending, TimeSpan.Zero, ReturnWhen.FirstCompleted).NotDone.Count;

    [Benchmark]
    public int WaitAsyncPendingZeroTimeout() =>
        Future.WaitAsync(_pending, TimeSpan.Zero, ReturnWhen.FirstCompleted).GetAwaiter().GetResult().NotDone.Count;
}
