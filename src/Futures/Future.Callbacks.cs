using System.Diagnostics;

namespace Futures;

// Done-callbacks: registering them, running them once the future is done, and reporting those
// that throw (contract v2, "Done-callbacks that throw").
public partial class Future
{
    /// <summary>Adds a callback to run when the future is done (finished or cancelled).</summary>
    /// <param name="fn">The callback; it receives this future.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    /// <remarks>
    /// Callbacks run in the order added, on the thread that completes the future; on a future
    /// already done, <paramref name="fn"/> runs at once on the caller's thread. An exception thrown
    /// by a callback is reported through <see cref="CallbackFailed"/> and the other callbacks still run.
    /// </remarks>
    public void AddDoneCallback(Action<Future> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        AddDoneCallbackCore(fn);
    }

    private protected void AddDoneCallbackCore(Action<Future> fn)
    {
        lock (SyncObj)
        {
            if (TryAddListener_NeedsLock(0))
            {
                AddListener_NeedsLock(fn);
                return;
            }
        }
        InvokeCallback(fn);
    }

    /// <summary>Raised when a done-callback throws; the exception never reaches the thread completing the future.</summary>
    /// <remarks>
    /// With no handler subscribed, the failure is written to standard error instead, as CPython's
    /// logger does: <c>exception calling callback for {future}</c>, then the exception's
    /// <see cref="Exception.ToString"/>. It is also raised when user code completes a submitted
    /// future itself and the executor's own completion then fails.
    /// </remarks>
    public static event EventHandler<FutureCallbackFailedEventArgs>? CallbackFailed;

    /// <summary>Runs the callbacks handed back by completion (one, or the listener list: its waiters were told already), in order, each failure reported through <see cref="CallbackFailed"/>.</summary>
    internal void InvokeCallbacks(object? callbacks)
    {
        Debug.Assert(!Monitor.IsEntered(SyncObj), "callbacks never run under the future's lock");
        switch (callbacks)
        {
            case Action<Future> single:
                InvokeCallback(single);
                break;
            case List<object> list:
                foreach (object listener in list)
                {
                    if (listener is Action<Future> fn) InvokeCallback(fn);
                }
                break;
        }
    }

    private void InvokeCallback(Action<Future> fn)
    {
        try
        {
            fn(this);
        }
        catch (Exception e)
        {
            ReportFailure(e, CallbackFailedPrefix);
        }
    }

    /// <summary>CPython's log message for a callback that threw (<c>_invoke_callbacks</c>).</summary>
    private const string CallbackFailedPrefix = "exception calling callback for";

    /// <summary>The standard-error report of an exception that escaped a work item; see <see cref="ReportWorkItemFailed"/>.</summary>
    private const string WorkItemFailedPrefix = "exception running work item for";

    /// <summary>
    /// Reports an exception that escaped a work item after its call ran (user code completed the
    /// submitted future itself, so the executor's own completion threw), exactly as a done-callback
    /// failure is reported: the worker that ran it goes on (contract v2).
    /// </summary>
    internal void ReportWorkItemFailed(Exception exception) => ReportFailure(exception, WorkItemFailedPrefix);

    /// <summary>
    /// Raises <see cref="CallbackFailed"/>, one handler at a time; with no handler, writes the failure
    /// to standard error as CPython's logger does (<c>LOGGER.exception</c>): <paramref name="prefix"/>
    /// and this future on one line, then the exception.
    /// </summary>
    /// <remarks>
    /// Each handler is called on its own: a handler that throws must neither break the remaining
    /// callbacks nor keep the handlers after it from hearing of the failure (a multicast Invoke
    /// would stop at the first one that throws). Nothing here may throw to the completing thread,
    /// not even a standard error that cannot be written.
    /// </remarks>
    private void ReportFailure(Exception exception, string prefix)
    {
        var args = new FutureCallbackFailedEventArgs(this, exception);
        if (CallbackFailed is not { } handlers)
        {
            try { Console.Error.WriteLine($"{prefix} {this}{Environment.NewLine}{exception}"); }
            catch (Exception) { }
            return;
        }
        foreach (Delegate handler in handlers.GetInvocationList())
        {
            try { ((EventHandler<FutureCallbackFailedEventArgs>)handler)(null, args); }
            catch (Exception) { }
        }
    }
}
