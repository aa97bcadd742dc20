using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Futures.Diagnostics;

namespace Futures.Internal;

/// <summary>
/// The work item of every Submit shape: <typeparamref name="TArgs"/> is a value tuple of the
/// arguments, and <see cref="_invoker"/> a static lambda that knows the delegate's shape, so one
/// class (and no closure allocation) serves all eight Submit overloads.
/// </summary>
/// <typeparam name="TArgs">The arguments, as <c>ValueTuple</c>, <c>ValueTuple&lt;T1&gt;</c>, ...</typeparam>
/// <typeparam name="TResult">The result; <see cref="VoidResult"/> for an Action, whose future is a plain <see cref="Future"/>.</typeparam>
internal sealed class CallWorkItem<TArgs, TResult> : WorkItem where TArgs : struct, ITuple
{
    private readonly TArgs _args;
    private readonly Func<Delegate, TArgs, TResult> _invoker;

    /// <summary>The submitter's context; null when the submitter suppressed flow.</summary>
    private readonly ExecutionContext? _context;

    public CallWorkItem(Delegate? function, TArgs args, Func<Delegate, TArgs, TResult> invoker)
        : base(NewFuture(), function ?? throw new ArgumentNullException("fn"))
    {
        _args = args;
        _invoker = invoker;
        _context = ExecutionContext.Capture();
    }

    private static Future NewFuture() => typeof(TResult) == typeof(VoidResult) ? new Future() : new Future<TResult>();

    public TArgs Arguments => _args;

    public Func<Delegate, TArgs, TResult> Invoker => _invoker;

    /// <summary>A chunk is the only item whose invoker is a <see cref="ChunkInvoker{TArgs, TResult}"/> instance's method.</summary>
    internal override bool IsMapChunk => _invoker.Target is IChunkInvoker;

    internal override void SetResultFrom(object? value)
    {
        if (typeof(TResult) == typeof(VoidResult)) Future.SetResult();
        else Unsafe.As<Future<TResult>>(Future).SetResult((TResult)value!);
    }
    /// <summary>An async call's invoker is an <see cref="AsyncInvoker{TArgs, TResult}"/>; a chunk's elements are async when its element invoker is.</summary>
    internal override bool IsAsync => _invoker.Target is IAsyncInvoker || (_invoker.Target is IChunkInvoker chunk && chunk.ElementIsAsync);

    public override object?[] GetArguments()
    {
        ITuple tuple = _args;
        var result = new object?[tuple.Length];
        for (int i = 0; i < result.Length; i++) result[i] = tuple[i];
        return result;
    }

    public override void Run() => Run(observer: null);

    internal override void Run(IWorkItemObserver? observer)
    {
        try
        {
            if (!Future.SetRunningOrNotifyCancel())
            {
                observer?.OnCancelled(this);
                return;
            }
            // ExecutionContext.Run even for the default context: it also undoes any AsyncLocal the
            // call sets, so nothing leaks into the worker's next item. With flow suppressed there is
            // no context to run in; the thread's own is put back afterwards.
            if (_context is not null)
            {
                // The callback takes one state object: the observer goes by the running thread's slot,
                // not by a field (8 bytes on every item, alive while it is queued).
                RunningObserver.Set(observer);
                ExecutionContext.Run(_context, static s => ((CallWorkItem<TArgs, TResult>)s!).RunHere(RunningObserver.Take()), this);
            }
            else
            {
                ExecutionContext? before = ExecutionContext.Capture();
                try { RunHere(observer); }
                finally { if (before is not null) ExecutionContext.Restore(before); }
            }
        }
        catch (Exception e)
        {
            // The call's own exception never gets here (RunHere completes the future with it). What
            // does is user code completing the submitted future itself, before it ran
            // (SetRunningOrNotifyCancel: "unexpected state") or while it ran (the completion below:
            // InvalidStateException). Reported like a done-callback failure; the worker goes on.
            Future.ReportWorkItemFailed(e);
        }
    }

    /// <summary>Calls the function and completes the future, in the submitter's context.</summary>
    private void RunHere(IWorkItemObserver? observer)
    {
        observer?.OnStarted(this);
        Activity? activity = FuturesTracing.StartTask(observer?.Executor, Function);
        TResult result = default!;
        Exception? error = null;
        try
        {
            result = _invoker(Function, _args);
        }
        catch (Exception e)
        {
            error = e;
            FuturesTracing.RecordException(activity, e);
        }
        // The task's activity ends before the future completes, so callbacks are not inside it.
        activity?.Dispose();
        observer?.OnFinishing(this, succeeded: error is null);
        object? callbacks =
            error is not null ? Future.FinishDeferringCallbacks(ExceptionDispatchInfo.Capture(error))
            : typeof(TResult) == typeof(VoidResult) ? Future.FinishDeferringCallbacks(exception: null)
            : Unsafe.As<Future<TResult>>(Future).SetResultDeferringCallbacks(result);
        // Done-callbacks are user code and run here, on the executor's thread, for as long as they
        // like: the executor hears of it first (a worker counted idle by OnFinishing is busy again).
        if (callbacks is not null) observer?.OnRunningCallbacks(this);
        Future.InvokeCallbacks(callbacks);
    }
}

/// <summary>Hands the observer of a work item's run into its ExecutionContext callback, on the running thread.</summary>
internal static class RunningObserver
{
    /// <summary>The observer of the run about to enter its ExecutionContext on this thread; null between runs.</summary>
    [ThreadStatic]
    private static IWorkItemObserver? t_current;

    public static void Set(IWorkItemObserver? observer) => t_current = observer;

    /// <summary>The observer set for this run, cleared so that the slot holds nothing between runs.</summary>
    public static IWorkItemObserver? Take()
    {
        IWorkItemObserver? observer = t_current;
        t_current = null;
        return observer;
    }
}
