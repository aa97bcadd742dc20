using System.Runtime.CompilerServices;

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

    // Written by the running thread between the call and Complete(); read only by that thread.
    private TResult _result = default!;
    private Exception? _error;

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
        if (!Future.SetRunningOrNotifyCancel()) return;
        observer?.OnStarted(this);
        // ExecutionContext.Run even for the default context: it also undoes any AsyncLocal the
        // call sets, so nothing leaks into the worker's next item. With flow suppressed there is
        // no context to run in; the thread's own is put back afterwards.
        if (_context is not null)
        {
            ExecutionContext.Run(_context, static s => ((CallWorkItem<TArgs, TResult>)s!).Invoke(), this);
        }
        else
        {
            ExecutionContext? before = ExecutionContext.Capture();
            Invoke();
            if (before is not null) ExecutionContext.Restore(before);
        }
        observer?.OnFinishing(this);
        Complete();
    }

    private void Invoke()
    {
        try
        {
            _result = _invoker(Function, _args);
        }
        catch (Exception e)
        {
            _error = e;
        }
    }

    private void Complete()
    {
        if (_error is { } error) Future.SetException(error);
        else if (typeof(TResult) == typeof(VoidResult)) Future.SetResult();
        else Unsafe.As<Future<TResult>>(Future).SetResult(_result);
        _result = default!;
        _error = null;
    }
}
