namespace Futures.Tests;

/// <summary>
/// The bounded work queue (beyond Python): <c>maxQueueSize</c> calls waiting to start, and what
/// Submit and SubmitAsync do when it is full in each <see cref="QueueFullMode"/>.
/// </summary>
public sealed class ThreadPoolQueueTests : TestBase, IDisposable
{
    private readonly ManualResetEventSlim _release = new();
    private readonly ManualResetEventSlim _started = new();

    public void Dispose()
    {
        _release.Set();
        _release.Dispose();
        _started.Dispose();
    }

    /// <summary>One worker, busy with a call that waits for <see cref="_release"/>, and a queue of <paramref name="capacity"/> filled up.</summary>
    private (ThreadPoolExecutor Ex, Future Blocker, List<Future<int>> Queued) FullPool(int capacity, QueueFullMode mode)
    {
        var ex = new ThreadPoolExecutor(1, maxQueueSize: capacity, queueFullMode: mode);
        Future blocker = ex.Submit(() => { _started.Set(); _release.Wait(UnexpectedTimeout); });
        _started.Wait(UnexpectedTimeout).Should().BeTrue();
        var queued = Enumerable.Range(0, capacity).Select(i => ex.Submit(static (int x) => x, i)).ToList();
        ex.QueueDepth.Should().Be(capacity);
        return (ex, blocker, queued);
    }

    [Fact]
    public void Submit_FullQueueModeThrow_ThrowsQueueFullException()
    {
        var (ex, _, queued) = FullPool(2, QueueFullMode.Throw);
        using (ex)
        {
            ex.Invoking(e => e.Submit(static () => 9)).Should().Throw<QueueFullException>();
            ex.QueueDepth.Should().Be(2);
            _release.Set();
            queued.Select(f => f.Result(UnexpectedTimeout)).Should().Equal(0, 1);
            ex.Submit(static () => 9).Result(UnexpectedTimeout).Should().Be(9, "there is room again");
        }
    }

    [Fact]
    public void Submit_FullQueueModeCallerRuns_RunsOnTheCallingThread()
    {
        var (ex, _, _) = FullPool(1, QueueFullMode.CallerRuns);
        using (ex)
        {
            int caller = Environment.CurrentManagedThreadId;
            Future<int> f = ex.Submit(static () => Environment.CurrentManagedThreadId);
            f.Done().Should().BeTrue("it ran before Submit returned");
            f.Result(TimeSpan.Zero).Should().Be(caller);
            ex.QueueDepth.Should().Be(1);
            _release.Set();
        }
    }

    [Fact]
    public void Submit_FullQueueModeWait_BlocksUntilThereIsRoom()
    {
        var (ex, blocker, queued) = FullPool(1, QueueFullMode.Wait);
        using (ex)
        {
            Future<int>? late = null;
            var submitter = Background.Start(() => late = ex.Submit(static () => 7));
            submitter.Join(ExpectedTimeout).Should().BeFalse("the queue is full, so Submit waits");
            _release.Set();
            submitter.Join(UnexpectedTimeout).Should().BeTrue();
            submitter.Error.Should().BeNull();
            late!.Result(UnexpectedTimeout).Should().Be(7);
            queued[0].Result(UnexpectedTimeout).Should().Be(0);
            blocker.Done().Should().BeTrue();
        }
    }

    [Fact]
    public void Submit_BlockedOnFullQueue_ShutdownMakesItThrow()
    {
        var (ex, _, _) = FullPool(1, QueueFullMode.Wait);
        var submitter = Background.Start(() => ex.Submit(static () => 7));
        submitter.Join(ExpectedTimeout).Should().BeFalse();
        ex.Shutdown(wait: false);
        submitter.Join(UnexpectedTimeout).Should().BeTrue();
        submitter.Error.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("cannot schedule new futures after shutdown");
        _release.Set();
        ex.Shutdown();
    }

    [Fact]
    public async Task SubmitAsync_FullQueue_AwaitsRoomWithoutBlocking()
    {
        var (ex, _, queued) = FullPool(1, QueueFullMode.Wait);
        await using (ex)
        {
            ValueTask<Future<int>> pending = ex.SubmitAsync(static () => 7);
            // Still here: the call returned while the queue is full, so no thread blocks on it.
            pending.IsCompleted.Should().BeFalse();
            _release.Set();
            Future<int> f = await pending.AsTask().WaitAsync(UnexpectedTimeout);
            f.Result(UnexpectedTimeout).Should().Be(7);
            queued[0].Result(UnexpectedTimeout).Should().Be(0);
        }
    }

    [Fact]
    public async Task SubmitAsync_CancelledWhileWaitingForRoom_ThrowsAndTheWorkNeverRuns()
    {
        int ran = 0;
        var (ex, _, queued) = FullPool(1, QueueFullMode.Wait);
        await using (ex)
        {
            using var cts = new CancellationTokenSource();
            ValueTask<Future> pending = ex.SubmitAsync(() => { Interlocked.Increment(ref ran); }, cts.Token);
            pending.IsCompleted.Should().BeFalse();
            await cts.CancelAsync();
            Func<Task> wait = () => pending.AsTask().WaitAsync(UnexpectedTimeout);
            await wait.Should().ThrowAsync<OperationCanceledException>();
            _release.Set();
            queued[0].Result(UnexpectedTimeout).Should().Be(0);
        }
        ran.Should().Be(0, "the executor has been shut down and drained, and the cancelled call never ran");
    }

    [Fact]
    public async Task SubmitAsync_FullQueueModeThrow_ThrowsQueueFullException()
    {
        var (ex, _, _) = FullPool(1, QueueFullMode.Throw);
        await using (ex)
        {
            Func<Task> submit = async () => await ex.SubmitAsync(static () => 1);
            await submit.Should().ThrowAsync<QueueFullException>();
            _release.Set();
        }
    }

    [Fact]
    public async Task SubmitAsync_FullQueueModeCallerRuns_RunsInline()
    {
        var (ex, _, _) = FullPool(1, QueueFullMode.CallerRuns);
        await using (ex)
        {
            int caller = Environment.CurrentManagedThreadId;
            ValueTask<Future<int>> pending = ex.SubmitAsync(static () => Environment.CurrentManagedThreadId);
            pending.IsCompleted.Should().BeTrue();
            (await pending).Result(TimeSpan.Zero).Should().Be(caller);
            _release.Set();
        }
    }

    [Fact]
    public async Task SubmitAsync_ShutdownWhileWaitingForRoom_Throws()
    {
        var (ex, _, _) = FullPool(1, QueueFullMode.Wait);
        ValueTask<Future<int>> pending = ex.SubmitAsync(static () => 1);
        ex.Shutdown(wait: false);
        Func<Task> wait = () => pending.AsTask().WaitAsync(UnexpectedTimeout);
        await wait.Should().ThrowAsync<InvalidOperationException>().WithMessage("cannot schedule new futures after shutdown");
        _release.Set();
        await ex.DisposeAsync();
    }

    [Fact]
    public void Submit_BoundedQueue_NeverHoldsMoreThanMaxQueueSize()
    {
        var (ex, _, _) = FullPool(3, QueueFullMode.Wait);
        int maxDepth = 0;
        var submitter = Background.Start(() =>
        {
            for (int i = 0; i < 50; i++)
            {
                ex.Submit(static () => 0);
                maxDepth = Math.Max(maxDepth, ex.QueueDepth);
            }
        });
        _release.Set();
        submitter.Join(UnexpectedTimeout).Should().BeTrue();
        ex.Shutdown();
        maxDepth.Should().BeLessThanOrEqualTo(3);
    }
}
