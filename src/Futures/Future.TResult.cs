using System.Diagnostics;

namespace Futures;

/// <summary>A future whose call returns a <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
[DebuggerDisplay("{ToString(),nq}")]
public class Future<T> : Future
{
    /// <summary>The call's result. Written by the completer that owns the completion, before the state becomes Finished.</summary>
    private T _result = default!;

    /// <summary>Creates a pending future. For Executor implementations and tests.</summary>
    public Future() { }

    /// <summary>Waits for the call to finish and returns its result.</summary>
    /// <param name="timeout">How long to wait: <c>null</c> or <see cref="Timeout.InfiniteTimeSpan"/> forever, zero or any other negative value not at all.</param>
    /// <returns>The call's result.</returns>
    /// <exception cref="CancelledException">The future was cancelled.</exception>
    /// <exception cref="TimeoutException">The future did not finish in time.</exception>
    /// <remarks>If the call raised, that exception object is rethrown with its original stack trace.</remarks>
    public new T Result(TimeSpan? timeout = null)
    {
        base.Result(timeout);
        return _result;
    }

    /// <summary>Adds a callback to run when the future is done; see <see cref="Future.AddDoneCallback(Action{Future})"/>.</summary>
    /// <param name="fn">The callback; it receives this future.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    public void AddDoneCallback(Action<Future<T>> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        AddDoneCallbackCore(f => fn((Future<T>)f));
    }

    /// <summary>Completes the future with <paramref name="result"/>. For Executor implementations and tests.</summary>
    /// <param name="result">The call's result.</param>
    /// <exception cref="InvalidStateException">The future is already cancelled or finished.</exception>
    public void SetResult(T result) => InvokeCallbacks(SetResultDeferringCallbacks(result));

    /// <summary>Completes the future with <paramref name="result"/> and hands back its done-callbacks, not yet run; see <see cref="Future.FinishDeferringCallbacks"/>.</summary>
    internal object? SetResultDeferringCallbacks(T result)
    {
        int owned = BeginCompletion();
        _result = result;
        return EndCompletion(owned);
    }

    /// <summary>Lets <c>await future</c> return the result without blocking a thread.</summary>
    /// <returns>An awaiter whose <c>GetResult</c> returns or throws exactly what <see cref="Result"/> does.</returns>
    public new FutureAwaiter<T> GetAwaiter() => new(this);

    /// <summary>A TPL view of this future.</summary>
    /// <returns>A task with the call's result: Canceled if the future was cancelled, Faulted with the work's exception if it raised one.</returns>
    public new Task<T> AsTask() => (Task<T>)GetOrCreateTask();

    private protected override Task CreateTask() => CreateTask(static f => ((Future<T>)f)._result);

    private protected override string ResultTypeName => _result is null ? "null" : Internal.TypeNames.Of(_result.GetType());
}
