using System.Runtime.CompilerServices;

namespace Futures.Internal;

/// <summary>
/// The invoker of an async call (contract v2, "Async work"): starts the function and waits on this
/// thread for the task it returns, so that the work item completes its future with the awaited
/// result, or with the task's own exception.
/// </summary>
/// <remarks>
/// Holding the worker while the task runs is the thread pool's choice: <c>maxWorkers</c> then
/// bounds async calls in flight exactly as it bounds synchronous ones. The function is started with
/// no SynchronizationContext (as Task.Run starts it), so its continuations go to the .NET thread
/// pool, never to a context whose thread is the one waiting here (CallerRuns on a UI thread would
/// otherwise deadlock). An instance per Submit (or per Map) call; <see cref="WorkItem.IsAsync"/>
/// recognises an item by it.
/// </remarks>
/// <typeparam name="TArgs">The arguments, as <c>ValueTuple</c>, <c>ValueTuple&lt;T1&gt;</c>, ...</typeparam>
/// <typeparam name="TResult">The task's result; <see cref="VoidResult"/> for a plain <see cref="Task"/>.</typeparam>
internal sealed class AsyncInvoker<TArgs, TResult> : IAsyncInvoker where TArgs : struct, ITuple
{
    /// <summary>Calls the user's function with the arguments: a static lambda that knows the delegate's shape.</summary>
    private readonly Func<Delegate, TArgs, Task?> _start;

    private AsyncInvoker(Func<Delegate, TArgs, Task?> start) => _start = start;

    /// <summary>The invoker for a CallWorkItem: <paramref name="start"/>, then wait for its task.</summary>
    public static Func<Delegate, TArgs, TResult> Create(Func<Delegate, TArgs, Task?> start) =>
        new AsyncInvoker<TArgs, TResult>(start).Invoke;

    private TResult Invoke(Delegate fn, TArgs args)
    {
        SynchronizationContext? context = SynchronizationContext.Current;
        if (context is not null) SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            Task task = _start(fn, args) ?? throw new InvalidOperationException(Messages.NullTask);
            // GetResult, not Wait or Result: it throws the task's own exception, not an AggregateException.
            task.GetAwaiter().GetResult();
            return typeof(TResult) == typeof(VoidResult) ? default! : Unsafe.As<Task<TResult>>(task).Result;
        }
        finally
        {
            if (context is not null) SynchronizationContext.SetSynchronizationContext(context);
        }
    }
}

/// <summary>Marks an <see cref="AsyncInvoker{TArgs, TResult}"/> whatever its type arguments, so that <see cref="WorkItem.IsAsync"/> needs no reflection.</summary>
internal interface IAsyncInvoker;
