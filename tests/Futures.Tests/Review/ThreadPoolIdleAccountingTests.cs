namespace Futures.Tests;

/// <summary>Review findings on the thread pool's idle-worker accounting.</summary>
public sealed class ThreadPoolIdleAccountingTests : TestBase
{
    // A done-callback runs on the worker that completes the future. The worker counted itself
    // idle before completing it, so a callback that submits and waits had its call "claimed"
    // by that same (busy) worker: no thread was started though MaxWorkers allowed one, and the
    // callback waited for itself. CPython counts a worker idle only after its callbacks ran.
    [Fact]
    public void DoneCallback_OnWorker_SubmitsAndWaits_GetsAnotherWorker()
    {
        using var ex = new ThreadPoolExecutor(maxWorkers: 2);
        using var gate = new ManualResetEventSlim();
        var inner = new Future<int>();
        Future first = ex.Submit(() => gate.Wait(UnexpectedTimeout));
        first.AddDoneCallback(_ =>
        {
            try { inner.SetResult(ex.Submit(static () => 42).Result(UnexpectedTimeout)); }
            catch (Exception e) { inner.SetException(e); }
        });
        gate.Set();
        inner.Result(UnexpectedTimeout + UnexpectedTimeout).Should().Be(42);
        ex.ThreadCount.Should().Be(2);
    }
}
