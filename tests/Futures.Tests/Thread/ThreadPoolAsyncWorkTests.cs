namespace Futures.Tests;

/// <summary>
/// Async work on the thread pool beyond the shared suite (<see cref="AsyncWorkContractTests"/>):
/// the exception's identity, cancelling a queued async call, <c>maxWorkers</c> bounding async calls
/// in flight (the worker waits for its task), and no deadlock when the continuation needs a thread.
/// </summary>
public sealed class ThreadPoolAsyncWorkTests : TestBase
{
    [Fact]
    public void Submit_AsyncLambdaThrows_FutureHoldsTheSameExceptionObject()
    {
        var error = new IOException("the task's own");
        using var ex = new ThreadPoolExecutor(1);
        Future<int> f = ex.Submit(async () =>
        {
            await Task.Yield();
            throw error;
#pragma warning disable CS0162 // the lambda must return int to bind to Func<Task<int>>
            return 0;
#pragma warning restore CS0162
        });
        f.Exception(UnexpectedTimeout).Should().BeSameAs(error);
        f.Invoking(x => x.Result()).Should().Throw<IOException>().Which.Should().BeSameAs(error);
    }

    [Fact]
    public void Submit_TaskReturningFunctionThrowsBeforeItsTask_FutureHoldsThatException()
    {
        var error = new ArgumentException("thrown before any task exists");
        using var ex = new ThreadPoolExecutor(1);
        Future<int> f = ex.Submit(() => error is null ? Task.FromResult(1) : throw error);
        f.Exception(UnexpectedTimeout).Should().BeSameAs(error);
    }

    [Fact]
    public void Submit_FunctionReturnsNullTask_FutureFailsSayingSo()
    {
        using var ex = new ThreadPoolExecutor(1);
        Future<int> f = ex.Submit(static () => (Task<int>)null!);
        f.Exception(UnexpectedTimeout).Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("null");
    }

    [Fact]
    public void Cancel_QueuedAsyncCall_NeverRuns()
    {
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        bool ran = false;
        using (var ex = new ThreadPoolExecutor(1))
        {
            Future blocker = ex.Submit(() => { started.Set(); release.Wait(UnexpectedTimeout); });
            started.Wait(UnexpectedTimeout).Should().BeTrue();
            Future<int> queued = ex.Submit(async () => { ran = true; await Task.Yield(); return 1; });

            queued.Cancel().Should().BeTrue();
            release.Set();
            blocker.Result(UnexpectedTimeout);
            queued.Invoking(q => q.Result(UnexpectedTimeout)).Should().Throw<CancelledException>();
        }
        ran.Should().BeFalse();
    }

    [Fact]
    public void MaxWorkers_BoundsAsyncCallsInFlight()
    {
        const int workers = 2, calls = 6;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int inFlight = 0, maxInFlight = 0, startedCount = 0;
        using var twoAwaiting = new CountdownEvent(workers);
        using var ex = new ThreadPoolExecutor(workers);
        Future<int>[] fs = Enumerable.Range(0, calls).Select(i => ex.Submit(async () =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax.Update(ref maxInFlight, now);
            if (Interlocked.Increment(ref startedCount) <= workers) twoAwaiting.Signal();
            await gate.Task;
            Interlocked.Decrement(ref inFlight);
            return i;
        })).ToArray();

        twoAwaiting.Wait(UnexpectedTimeout).Should().BeTrue();
        // Both workers wait for their calls' tasks, and the other calls stay queued: a worker that
        // went on to the queue while its call awaited would not be blocked with calls still queued.
        foreach (Thread worker in ex.Threads) HelperThread.WaitUntilBlocked(worker);
        ex.QueueDepth.Should().Be(calls - workers);
        Volatile.Read(ref inFlight).Should().Be(workers);

        gate.SetResult();
        fs.Select(f => f.Result(UnexpectedTimeout)).Should().Equal(Enumerable.Range(0, calls));
        maxInFlight.Should().Be(workers);
    }

    [Fact]
    public void CallerRuns_OnAThreadWithASynchronizationContext_AsyncCallDoesNotDeadlock()
    {
        // CallerRuns runs the call on the submitting thread, which then waits for the call's task.
        // Started under this context, the call's continuation would be posted to it and never run.
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        using var ex = new ThreadPoolExecutor(maxWorkers: 1, maxQueueSize: 1, queueFullMode: QueueFullMode.CallerRuns);
        Future blocker = ex.Submit(() => { started.Set(); release.Wait(UnexpectedTimeout); });
        started.Wait(UnexpectedTimeout).Should().BeTrue();
        Future queued = ex.Submit(static () => { }); // fills the queue: the next Submit runs on its caller
        Future<int>? inline = null;
        var context = new NeverRunsContext();
        var caller = Background.Start(() =>
        {
            SynchronizationContext.SetSynchronizationContext(context);
            inline = ex.Submit(async () => { await Task.Yield(); return 5; });
            SynchronizationContext.Current.Should().BeSameAs(context, "the caller's context is put back");
        });
        try
        {
            caller.Join(UnexpectedTimeout).Should().BeTrue("the call's continuation must not need the blocked caller's context");
            caller.Error.Should().BeNull();
            inline!.Result(TimeSpan.Zero).Should().Be(5);
            context.Posts.Should().Be(0);
        }
        finally
        {
            release.Set();
        }
        blocker.Result(UnexpectedTimeout);
        queued.Result(UnexpectedTimeout);
    }

    [Fact]
    public void Submit_AsyncCall_RunsInTheSubmittersExecutionContextAcrossAwaits()
    {
        var local = new AsyncLocal<string?>();
        using var ex = new ThreadPoolExecutor(1);
        local.Value = "submitter";
        Future<string> f = ex.Submit(async () =>
        {
            string before = local.Value ?? "none";
            await Task.Yield();
            return before + "/" + (local.Value ?? "none");
        });
        local.Value = null;
        f.Result(UnexpectedTimeout).Should().Be("submitter/submitter");
        ex.Submit(() => local.Value ?? "none").Result(UnexpectedTimeout).Should().Be("none", "nothing leaks into the worker's next call");
    }

    /// <summary>A context whose posted callbacks never run, and that counts them.</summary>
    private sealed class NeverRunsContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state) => Interlocked.Increment(ref _posts);
    }
}
