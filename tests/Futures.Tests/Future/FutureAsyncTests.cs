using System.Runtime.CompilerServices;

namespace Futures.Tests;

/// <summary><c>await future</c>, the awaiters and AsTask() (beyond Python).</summary>
public class FutureAsyncTests : TestBase
{
    [Fact]
    public async Task Await_AlreadySucceeded_ReturnsResultWithoutSuspending()
    {
        Future<int> f = FutureStates.Successful(42);

        f.GetAwaiter().IsCompleted.Should().BeTrue();
        (await f).Should().Be(42);
    }

    [Fact]
    public async Task Await_CompletedLaterOnAnotherThread_ReturnsResult()
    {
        var f = new Future<int>();
        Task<int> awaiting = AwaitAsync(f);   // suspends: nothing can complete f yet
        f.GetAwaiter().IsCompleted.Should().BeFalse();
        awaiting.IsCompleted.Should().BeFalse();

        using var completer = HelperThread.Start(() => f.SetResult(7));
        completer.Join();

        (await awaiting.WaitAsync(UnexpectedTimeout)).Should().Be(7);
    }

    [Fact]
    public async Task Await_NonGeneric_CompletesWhenFutureDoes()
    {
        var f = new Future();
        Task awaiting = AwaitAsync(f);
        awaiting.IsCompleted.Should().BeFalse();

        f.SetResult();

        await awaiting.WaitAsync(UnexpectedTimeout);
    }

    [Fact]
    public async Task Await_FutureOfTThroughBaseReference_Completes()
    {
        var f = new Future<int>();
        Task awaiting = AwaitAsync((Future)f);

        f.SetResult(1);

        await awaiting.WaitAsync(UnexpectedTimeout);
    }

    [Fact]
    public async Task Await_Failed_ThrowsSameExceptionObjectNotAggregate()
    {
        var error = new IOException("disk");
        var f = new Future<int>();
        Task<int> awaiting = AwaitAsync(f);

        f.SetException(error);

        Func<Task> act = () => awaiting.WaitAsync(UnexpectedTimeout);
        (await act.Should().ThrowAsync<IOException>()).Which.Should().BeSameAs(error);
    }

    [Fact]
    public async Task Await_FailedWithThrownException_KeepsOriginalFrames()
    {
        Exception thrown;
        try { ThrowInWork(); throw new InvalidOperationException("unreachable"); }
        catch (ArgumentException e) { thrown = e; }
        var f = new Future();
        f.SetException(thrown);

        Func<Task> act = async () => await f;

        Exception caught = (await act.Should().ThrowAsync<ArgumentException>()).Which;
        caught.Should().BeSameAs(thrown);
        caught.StackTrace.Should().Contain(nameof(ThrowInWork));
    }

    [Fact]
    public async Task Await_AlreadyCancelled_ThrowsCancelledException()
    {
        Future<int> f = FutureStates.Cancelled();

        Func<Task> act = async () => await f;

        await act.Should().ThrowExactlyAsync<CancelledException>();
    }

    [Fact]
    public async Task Await_CancelledWhileAwaiting_ThrowsCancelledException()
    {
        var f = new Future();
        Task awaiting = AwaitAsync(f);

        f.Cancel().Should().BeTrue();

        Func<Task> act = () => awaiting.WaitAsync(UnexpectedTimeout);
        await act.Should().ThrowExactlyAsync<CancelledException>();
    }

    [Fact]
    public async Task Await_FailedWithOperationCanceled_ThrowsThatObject()
    {
        var error = new OperationCanceledException("work gave up");
        Future<int> f = FutureStates.Failed(error);

        Func<Task> act = async () => await f;

        (await act.Should().ThrowAsync<OperationCanceledException>()).Which.Should().BeSameAs(error);
    }

    [Fact]
    public async Task Await_ManyAwaiters_AllResume()
    {
        var f = new Future<int>();
        Task<int>[] awaiting = [.. Enumerable.Range(0, 5).Select(_ => AwaitAsync(f))];

        f.SetResult(3);

        (await Task.WhenAll(awaiting).WaitAsync(UnexpectedTimeout)).Should().AllBeEquivalentTo(3);
    }

    [Fact]
    public async Task OnCompleted_CompletedOnDedicatedThread_ContinuationRunsElsewhere()
    {
        var f = new Future<int>();
        var ranOn = new TaskCompletionSource<Thread>(TaskCreationOptions.RunContinuationsAsynchronously);
        WithoutSyncContext(() => f.GetAwaiter().OnCompleted(() => ranOn.SetResult(Thread.CurrentThread)));

        using var completer = HelperThread.Start(() => f.SetResult(1));
        completer.Join();

        (await ranOn.Task.WaitAsync(UnexpectedTimeout)).Should().NotBeSameAs(completer.Thread);
    }

    [Fact]
    public async Task OnCompleted_AlreadyDone_ContinuationIsPostedNotInlined()
    {
        Future<int> f = FutureStates.Successful();
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var gate = new ManualResetEventSlim();
        bool ranInline = false;

        WithoutSyncContext(() => f.GetAwaiter().OnCompleted(() =>
        {
            gate.Wait(UnexpectedTimeout);
            ran.SetResult();
        }));
        ranInline = ran.Task.IsCompleted;
        gate.Set();

        ranInline.Should().BeFalse();
        await ran.Task.WaitAsync(UnexpectedTimeout);
    }

    [Fact]
    public async Task OnCompleted_FlowsExecutionContext()
    {
        var local = new AsyncLocal<string?>();
        var f = new Future();
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        local.Value = "flowed";
        WithoutSyncContext(() => f.GetAwaiter().OnCompleted(() => seen.SetResult(local.Value)));
        local.Value = null;

        f.SetResult();

        (await seen.Task.WaitAsync(UnexpectedTimeout)).Should().Be("flowed");
    }

    [Fact]
    public async Task UnsafeOnCompleted_DoesNotFlowExecutionContext()
    {
        var local = new AsyncLocal<string?>();
        var f = new Future<int>();
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        local.Value = "not flowed";
        WithoutSyncContext(() => f.GetAwaiter().UnsafeOnCompleted(() => seen.SetResult(local.Value)));
        local.Value = null;

        f.SetResult(1);

        (await seen.Task.WaitAsync(UnexpectedTimeout)).Should().BeNull();
    }

    [Fact]
    public void OnCompleted_Null_ThrowsArgumentNull()
    {
        var f = new Future<int>();

        f.Invoking(x => x.GetAwaiter().OnCompleted(null!)).Should().Throw<ArgumentNullException>();
        ((Future)f).Invoking(x => x.GetAwaiter().UnsafeOnCompleted(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task Await_UnderSynchronizationContext_ResumesThroughIt()
    {
        var context = new RecordingSynchronizationContext();
        var f = new Future<int>();
        Task<SynchronizationContext?> awaiting = WithSyncContext(context, async () =>
        {
            await f;
            return SynchronizationContext.Current;
        });
        awaiting.IsCompleted.Should().BeFalse();

        using var completer = HelperThread.Start(() => f.SetResult(1));
        completer.Join();

        (await awaiting.WaitAsync(UnexpectedTimeout)).Should().BeSameAs(context);
        context.Posts.Should().BeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task Await_OnCustomTaskScheduler_ResumesOnIt()
    {
        TaskScheduler scheduler = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
        var f = new Future<int>();
        // The outer task ends once the async lambda has reached its await, so f is awaited pending.
        Task<Task<TaskScheduler>> outer = Task.Factory.StartNew(async () =>
        {
            await f;
            return TaskScheduler.Current;
        }, CancellationToken.None, TaskCreationOptions.None, scheduler);
        Task<TaskScheduler> awaiting = await outer.WaitAsync(UnexpectedTimeout);
        awaiting.IsCompleted.Should().BeFalse();

        using var completer = HelperThread.Start(() => f.SetResult(1));
        completer.Join();

        (await awaiting.WaitAsync(UnexpectedTimeout)).Should().BeSameAs(scheduler);
    }

    private static async Task<T> AwaitAsync<T>(Future<T> f) => await f;

    private static async Task AwaitAsync(Future f) => await f;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInWork() => throw new ArgumentException("work failed");

    private static void WithoutSyncContext(Action action)
    {
        SynchronizationContext? old = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try { action(); }
        finally { SynchronizationContext.SetSynchronizationContext(old); }
    }

    private static T WithSyncContext<T>(SynchronizationContext context, Func<T> func)
    {
        SynchronizationContext? old = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        try { return func(); }
        finally { SynchronizationContext.SetSynchronizationContext(old); }
    }

    /// <summary>Runs posted work on the thread pool with itself installed, counting the posts.</summary>
    private sealed class RecordingSynchronizationContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.QueueUserWorkItem(_ =>
            {
                SetSynchronizationContext(this);
                try { d(state); }
                finally { SetSynchronizationContext(null); }
            });
        }
    }
}
