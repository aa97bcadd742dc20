using System.Diagnostics;
using Futures.Diagnostics;

namespace Futures.ProcessPool;

/// <summary>
/// The tracing state of one call, made at Submit only when the <c>Futures</c> ActivitySource has
/// listeners (so an untraced call carries a null reference and nothing more): the submitter's trace
/// context, and the parent-side <c>futures.task</c> activity once the call is handed to a worker.
/// </summary>
/// <remarks>
/// Within a process the thread pool needs no capture (the ExecutionContext carries
/// <see cref="Activity.Current"/>); a call that crosses to a worker is handed out by the
/// <see cref="CallDispatcher"/> on whichever thread gets there (Submit's, a worker's reader thread,
/// the manager's), whose <see cref="Activity.Current"/> is not the submitter's, so the submitter's
/// context is captured here, as W3C <c>traceparent</c> and <c>tracestate</c> text (the activity's
/// <see cref="Activity.Id"/>, cached by the activity). Used by the submitting thread (capture), then
/// by the dispatcher under its lock (start) and by the thread that completes the call (stop): one
/// at a time, ordered by that lock.
/// </remarks>
internal sealed class CallTrace
{
    /// <summary>The submitter's <see cref="Activity.Id"/>, e.g. <c>00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01</c>; null if it had none.</summary>
    private readonly string? _submitterId;

    /// <summary>The submitter's <see cref="Activity.TraceStateString"/>; null for none.</summary>
    private readonly string? _submitterState;

    private CallTrace(string? submitterId, string? submitterState)
    {
        _submitterId = submitterId;
        _submitterState = submitterState;
    }

    /// <summary>The parent-side activity, from the moment the call was handed out; null before, or if the sampler declined.</summary>
    public Activity? Activity { get; private set; }

    /// <summary>Whether the parent-side activity has been started (or declined) already: a call sent again after its worker died keeps its first one.</summary>
    private bool _started;

    /// <summary>Captures the submitter's trace context; null (one branch, no allocation) when nobody listens.</summary>
    public static CallTrace? Capture()
    {
        if (!FuturesTracing.Source.HasListeners()) return null;
        Activity? current = Activity.Current;
        return new CallTrace(current?.Id, current?.TraceStateString);
    }

    /// <summary>Starts the parent-side <c>futures.task</c> activity when the call is handed to a worker (once).</summary>
    public void Start(IObservableExecutor executor, Delegate function)
    {
        if (_started) return;
        _started = true;
        Activity = FuturesTracing.StartDetached(executor, function, _submitterId, _submitterState);
    }

    /// <summary>The context the worker parents its activity on: ours, or the submitter's when ours was not sampled.</summary>
    public string TraceParent => Activity?.Id ?? _submitterId ?? "";

    /// <summary>The <c>tracestate</c> that goes with <see cref="TraceParent"/>.</summary>
    public string TraceState => (Activity is { } a ? a.TraceStateString : _submitterState) ?? "";

    /// <summary>Ends the parent-side activity (before the future completes, so that callbacks are not inside it).</summary>
    public void Stop(Exception? error)
    {
        if (Activity is { } activity)
        {
            Activity = null;
            FuturesTracing.StopDetached(activity, error);
        }
    }
}
