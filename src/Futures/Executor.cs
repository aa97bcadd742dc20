using Futures.Internal;

namespace Futures;

/// <summary>
/// The base of every executor (Python's <c>concurrent.futures.Executor</c>): Submit, Map and Shutdown.
/// </summary>
/// <remarks>
/// Every Submit, SubmitAsync and Map overload makes one <see cref="WorkItem"/> and funnels it into
/// <see cref="Schedule"/> (or <see cref="ScheduleAsync"/>), so a custom executor overrides only
/// those and <see cref="Shutdown"/>.
/// </remarks>
public abstract partial class Executor : IDisposable, IAsyncDisposable, IShutdownAtExit
{
    /// <summary>Set once by <see cref="Shutdown"/>; later submissions throw. Volatile: read without a lock on every Submit.</summary>
    private volatile bool _shutdown;

    /// <summary>Whether <see cref="Shutdown"/> has been called.</summary>
    private protected bool IsShutdown => _shutdown;

    /// <summary>Schedules <paramref name="item"/> to run: the extension point behind every Submit and Map.</summary>
    /// <param name="item">The call; run it with <see cref="WorkItem.Run()"/>, or ship it elsewhere and complete its <see cref="WorkItem.Future"/>.</param>
    /// <remarks>Called only before <see cref="Shutdown"/> (the base checks); may still race with it.</remarks>
    protected abstract void Schedule(WorkItem item);

    /// <summary>Schedules <paramref name="item"/>, awaiting room in a bounded queue instead of blocking; by default <see cref="Schedule"/>.</summary>
    /// <param name="item">The call.</param>
    /// <param name="cancellationToken">Abandons the wait for room; the work then never runs.</param>
    /// <returns>A task that completes once the item is queued.</returns>
    protected virtual ValueTask ScheduleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        Schedule(item);
        return default;
    }

    /// <summary>Signals the executor to free its resources once the submitted work is done.</summary>
    /// <param name="wait">Block until all submitted work has run and the workers are gone.</param>
    /// <param name="cancelFutures">Cancel every future that has not started.</param>
    /// <remarks>
    /// Idempotent. Later submissions throw <see cref="InvalidOperationException"/>. The base marks
    /// the executor shut down; executors override it to stop their workers and call the base.
    /// </remarks>
    public virtual void Shutdown(bool wait = true, bool cancelFutures = false) => _shutdown = true;

    /// <summary>Shutdown for the ProcessExit hook (<see cref="ExecutorExitHook"/>): lets the submitted work finish.</summary>
    internal virtual void ShutdownAtExit() => Shutdown(wait: true);

    void IShutdownAtExit.ShutdownAtExit() => ShutdownAtExit();

    /// <summary>Shuts down and waits for the submitted work: <c>Shutdown(wait: true)</c>.</summary>
    public void Dispose()
    {
        Shutdown(wait: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Shuts down and waits for the submitted work without blocking a thread.</summary>
    /// <returns>A task that completes when the work has run and the workers are gone.</returns>
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ShutdownAsync();
    }

    /// <summary>
    /// <c>Shutdown(wait: true)</c> as a task. The built-in executors override it to await their
    /// workers' exit; for a custom executor, the blocking wait runs on a thread of its own.
    /// </summary>
    private protected virtual ValueTask ShutdownAsync() =>
        new(Task.Factory.StartNew(static s => ((Executor)s!).Shutdown(wait: true), this,
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));

    /// <summary>Throws why the executor takes no more work. Broken executors override it to throw that first, as Python does.</summary>
    private protected virtual void ThrowClosed() => ThrowHelper.ThrowShutdown();

    /// <summary>The one path of every Submit: checks shutdown, schedules, hands back the future.</summary>
    private TFuture SubmitItem<TFuture>(WorkItem item) where TFuture : Future
    {
        if (_shutdown) ThrowClosed();
        Schedule(item);
        return (TFuture)item.Future;
    }

    /// <summary>The one path of every SubmitAsync; failures come back through the task.</summary>
    private ValueTask<TFuture> SubmitItemAsync<TFuture>(WorkItem item, CancellationToken cancellationToken) where TFuture : Future
    {
        ValueTask scheduled;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_shutdown) ThrowClosed();
            scheduled = ScheduleAsync(item, cancellationToken);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<TFuture>(e);
        }
        return scheduled.IsCompletedSuccessfully ? new((TFuture)item.Future) : AwaitScheduled(scheduled, item);

        static async ValueTask<TFuture> AwaitScheduled(ValueTask scheduled, WorkItem item)
        {
            try
            {
                await scheduled.ConfigureAwait(false);
            }
            catch
            {
                // Never queued, never seen by the caller: mark it so nothing can wait on it forever.
                item.Future.Cancel();
                throw;
            }
            return (TFuture)item.Future;
        }
    }
}
