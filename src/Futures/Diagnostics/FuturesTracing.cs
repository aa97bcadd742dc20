using System.Diagnostics;

namespace Futures.Diagnostics;

/// <summary>
/// The <c>Futures</c> activity source: one Activity per task, parented on the submitter's current
/// Activity. Within a process the parent needs no capture at Submit: the submitter's
/// ExecutionContext (and so <see cref="Activity.Current"/>) flows into the work.
/// </summary>
internal static class FuturesTracing
{
    public const string SourceName = "Futures";

    public const string TaskActivityName = "futures.task";

    /// <summary>The activity of a call as it runs in a process-pool worker, a child of the parent's <see cref="TaskActivityName"/>.</summary>
    public const string InvokeActivityName = "futures.task.invoke";

    public static readonly ActivitySource Source = new(SourceName, typeof(FuturesTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Starts the activity of a task about to run; null (one branch) when nobody listens.</summary>
    public static Activity? StartTask(IObservableExecutor? executor, Delegate function, ActivityContext parent = default)
    {
        if (!Source.HasListeners()) return null;
        Activity? activity = Source.StartActivity(TaskActivityName, ActivityKind.Internal, parent);
        if (activity is null) return null;
        if (executor is not null)
        {
            activity.SetTag("futures.executor.kind", executor.Kind);
            activity.SetTag("futures.executor.name", executor.Name);
        }
        activity.SetTag("code.function.name", function.Method.Name);
        if (function.Method.DeclaringType is { } type) activity.SetTag("code.namespace", type.FullName);
        return activity;
    }

    /// <summary>
    /// Starts the parent-side activity of a call shipped to another process (kind Client), parented on
    /// the submitter's context captured at Submit (<paramref name="parentId"/>, a W3C traceparent or a
    /// hierarchical id; null for none); null when nobody listens or the sampler declines.
    /// </summary>
    /// <remarks>
    /// It runs on the pool's manager thread, which holds many such activities at once, so it never
    /// becomes that thread's <see cref="Activity.Current"/>.
    /// </remarks>
    public static Activity? StartDetached(IObservableExecutor executor, Delegate function, string? parentId, string? parentState)
    {
        if (!Source.HasListeners()) return null;
        Activity? previous = Activity.Current;
        Activity.Current = null; // never parented on whatever this thread holds: only on the submitter
        Activity? activity = parentId is not null && ActivityContext.TryParse(parentId, parentState, out ActivityContext context)
            ? Source.StartActivity(TaskActivityName, ActivityKind.Client, context)
            : Source.StartActivity(TaskActivityName, ActivityKind.Client, parentId);
        Activity.Current = previous;
        if (activity is null) return null;
        activity.SetTag("futures.executor.kind", executor.Kind);
        activity.SetTag("futures.executor.name", executor.Name);
        activity.SetTag("code.function.name", function.Method.Name);
        if (function.Method.DeclaringType is { } type) activity.SetTag("code.namespace", type.FullName);
        return activity;
    }

    /// <summary>Stops an activity of <see cref="StartDetached"/>, failed with <paramref name="error"/> if given, leaving this thread's <see cref="Activity.Current"/> as it was.</summary>
    public static void StopDetached(Activity activity, Exception? error)
    {
        if (error is not null) RecordException(activity, error);
        Activity? previous = Activity.Current;
        activity.Stop();
        Activity.Current = previous;
    }

    /// <summary>
    /// Starts, in a worker process, the activity of one call whose parent-side activity is
    /// <paramref name="traceParent"/> (empty: the call is not traced, null is returned). It becomes
    /// <see cref="Activity.Current"/>, so that user code and the libraries it calls carry the trace.
    /// </summary>
    /// <remarks>
    /// A worker usually has no listener on this source; then the Activity is made directly (no
    /// ActivitySource can create one without a listener), only to carry the context.
    /// </remarks>
    public static Activity? StartInvoke(string traceParent, string traceState, string functionName)
    {
        if (traceParent.Length == 0) return null;
        string? state = traceState.Length == 0 ? null : traceState;
        Activity? activity = null;
        if (Source.HasListeners())
        {
            activity = ActivityContext.TryParse(traceParent, state, isRemote: true, out ActivityContext context)
                ? Source.StartActivity(InvokeActivityName, ActivityKind.Server, context)
                : Source.StartActivity(InvokeActivityName, ActivityKind.Server, traceParent);
        }
        if (activity is null)
        {
            activity = new Activity(InvokeActivityName).SetParentId(traceParent);
            activity.TraceStateString = state;
            activity.Start();
        }
        activity.SetTag("code.function.name", functionName);
        return activity;
    }

    /// <summary>Marks the activity failed with <paramref name="exception"/> (an exception event and error status).</summary>
    public static void RecordException(Activity? activity, Exception exception)
    {
        if (activity is null) return;
        activity.AddException(exception);
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
    }

    /// <summary>Adds an event (worker crashed, replaced, initializer failed) to the current activity, if any.</summary>
    public static void AddEvent(string name, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (Activity.Current is not { } current || !Source.HasListeners()) return;
        current.AddEvent(new ActivityEvent(name, tags: new ActivityTagsCollection(tags.ToArray())));
    }
}
