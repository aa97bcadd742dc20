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
