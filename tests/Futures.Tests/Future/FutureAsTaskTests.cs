namespace Futures.Tests;

/// <summary>AsTask(): the TPL view of a future (beyond Python).</summary>
public class FutureAsTaskTests : TestBase
{
    [Fact]
    public async Task AsTask_Pending_CompletesWithResult()
    {
        var f = new Future<string>();
        Task<string> task = f.AsTask();
        task.IsCompleted.Should().BeFalse();

        using var completer = HelperThread.Start(() => f.SetResult("r"));
        completer.Join();

        (await task.WaitAsync(UnexpectedTimeout)).Should().Be("r");
    }

    [Fact]
    public async Task AsTask_AlreadySucceeded_IsCompletedWithResult()
    {
        Task<int> task = FutureStates.Successful(42).AsTask();

        task.Status.Should().Be(TaskStatus.RanToCompletion);
        (await task).Should().Be(42);
    }

    [Fact]
    public async Task AsTask_Failed_FaultedWithSameExceptionObject()
    {
        var error = new IOException();
        var f = new Future<int>();
        Task<int> task = f.AsTask();

        f.SetException(error);

        Func<Task> act = () => task.WaitAsync(UnexpectedTimeout);
        (await act.Should().ThrowAsync<IOException>()).Which.Should().BeSameAs(error);
        task.IsFaulted.Should().BeTrue();
        task.Exception!.InnerExceptions.Should().ContainSingle().Which.Should().BeSameAs(error);
    }

    [Fact]
    public async Task AsTask_FailedWithOperationCanceled_IsFaultedNotCanceled()
    {
        var error = new OperationCanceledException();
        Task task = FutureStates.Failed(error).AsTask();

        Func<Task> act = () => task.WaitAsync(UnexpectedTimeout);
        await act.Should().ThrowAsync<OperationCanceledException>();
        task.Status.Should().Be(TaskStatus.Faulted);
    }

    [Theory]
    [InlineData(FutureState.Cancelled)]
    [InlineData(FutureState.CancelledAndNotified)]
    public void AsTask_AlreadyCancelled_IsCanceled(FutureState state)
    {
        Future<int> f = FutureStates.In(state);

        f.AsTask().Status.Should().Be(TaskStatus.Canceled);
        ((Future)f).AsTask().Status.Should().Be(TaskStatus.Canceled);
    }

    [Fact]
    public async Task AsTask_CancelledLater_IsCanceled()
    {
        var f = new Future();
        Task task = f.AsTask();

        f.Cancel().Should().BeTrue();

        Func<Task> act = () => task.WaitAsync(UnexpectedTimeout);
        await act.Should().ThrowAsync<TaskCanceledException>();
        task.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public void AsTask_CalledTwice_ReturnsSameTask()
    {
        var f = new Future<int>();

        f.AsTask().Should().BeSameAs(f.AsTask());
        ((Future)f).AsTask().Should().BeSameAs(f.AsTask());
    }

    [Fact]
    public async Task AsTask_NonGenericViewFirstThenTyped_CarriesResult()
    {
        var f = new Future<int>();
        Task untyped = ((Future)f).AsTask();
        Task<int> typed = f.AsTask();

        f.SetResult(5);

        await untyped.WaitAsync(UnexpectedTimeout);
        (await typed.WaitAsync(UnexpectedTimeout)).Should().Be(5);
    }

    [Fact]
    public async Task AsTask_NonGeneric_CompletesAndFaults()
    {
        var ok = new Future();
        var failed = new Future();
        var error = new FormatException();
        Task okTask = ok.AsTask(), failedTask = failed.AsTask();

        ok.SetResult();
        failed.SetException(error);

        await okTask.WaitAsync(UnexpectedTimeout);
        Func<Task> act = () => failedTask.WaitAsync(UnexpectedTimeout);
        (await act.Should().ThrowAsync<FormatException>()).Which.Should().BeSameAs(error);
    }

    [Fact]
    public async Task AsTask_SynchronousContinuation_NeverRunsOnCompletingThread()
    {
        var f = new Future<int>();
        Task<Thread> continuation = f.AsTask().ContinueWith(_ => Thread.CurrentThread,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        using var completer = HelperThread.Start(() => f.SetResult(1));
        completer.Join();

        (await continuation.WaitAsync(UnexpectedTimeout)).Should().NotBeSameAs(completer.Thread);
    }
}
