namespace Futures.Internal;

/// <summary>An await continuation captured with the context it must run in (see <see cref="Future.OnCompleted"/>).</summary>
internal sealed class ContinuationDispatch
{
    private readonly Action _continuation;
    private readonly SynchronizationContext? _syncContext;
    private readonly TaskScheduler? _scheduler;
    private readonly ExecutionContext? _executionContext;

    public ContinuationDispatch(Action continuation, bool flowExecutionContext)
    {
        _continuation = continuation;
        SynchronizationContext? sc = SynchronizationContext.Current;
        if (sc is not null && sc.GetType() != typeof(SynchronizationContext)) _syncContext = sc;
        else if (TaskScheduler.Current != TaskScheduler.Default) _scheduler = TaskScheduler.Current;
        if (flowExecutionContext) _executionContext = ExecutionContext.Capture();
    }

    public void Post(Future _)
    {
        if (_syncContext is not null)
            _syncContext.Post(static s => ((ContinuationDispatch)s!).Run(), this);
        else if (_scheduler is not null)
            Task.Factory.StartNew(static s => ((ContinuationDispatch)s!).Run(), this, CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler);
        else
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Run(), this, preferLocal: false);
    }

    private void Run()
    {
        if (_executionContext is null) _continuation();
        else ExecutionContext.Run(_executionContext, static s => ((Action)s!)(), _continuation);
    }
}
