using System.Runtime.CompilerServices;

namespace Futures;

/// <summary>The awaiter behind <c>await future</c> for a <see cref="Future"/>.</summary>
public readonly struct FutureAwaiter : ICriticalNotifyCompletion
{
    private readonly Future _future;

    internal FutureAwaiter(Future future) => _future = future;

    /// <summary>Whether the future is done, so that <c>await</c> need not suspend.</summary>
    public bool IsCompleted => _future.Done();

    /// <summary>Ends the await: throws what <see cref="Future.Result"/> throws.</summary>
    public void GetResult() => _future.Result();

    /// <summary>Schedules <paramref name="continuation"/> for when the future is done, flowing the ExecutionContext.</summary>
    /// <param name="continuation">What to run.</param>
    public void OnCompleted(Action continuation) => _future.OnCompleted(continuation, flowExecutionContext: true);

    /// <summary>Schedules <paramref name="continuation"/> for when the future is done, without flowing the ExecutionContext.</summary>
    /// <param name="continuation">What to run.</param>
    public void UnsafeOnCompleted(Action continuation) => _future.OnCompleted(continuation, flowExecutionContext: false);
}

/// <summary>The awaiter behind <c>await future</c> for a <see cref="Future{T}"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
public readonly struct FutureAwaiter<T> : ICriticalNotifyCompletion
{
    private readonly Future<T> _future;

    internal FutureAwaiter(Future<T> future) => _future = future;

    /// <summary>Whether the future is done, so that <c>await</c> need not suspend.</summary>
    public bool IsCompleted => _future.Done();

    /// <summary>Ends the await: returns the result or throws what <see cref="Future{T}.Result"/> throws.</summary>
    /// <returns>The call's result.</returns>
    public T GetResult() => _future.Result();

    /// <summary>Schedules <paramref name="continuation"/> for when the future is done, flowing the ExecutionContext.</summary>
    /// <param name="continuation">What to run.</param>
    public void OnCompleted(Action continuation) => _future.OnCompleted(continuation, flowExecutionContext: true);

    /// <summary>Schedules <paramref name="continuation"/> for when the future is done, without flowing the ExecutionContext.</summary>
    /// <param name="continuation">What to run.</param>
    public void UnsafeOnCompleted(Action continuation) => _future.OnCompleted(continuation, flowExecutionContext: false);
}
