using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Futures.Diagnostics;

/// <summary>
/// The <c>Futures</c> meter and its instruments, named by the OpenTelemetry conventions
/// (lower-case, dot-separated, unit set). Every measurement carries the executor's kind and name.
/// </summary>
/// <remarks>
/// Gauges (queue depth, busy and live workers) are observable: they are read from the live
/// executors when a listener collects, so they cost the submit path nothing. Counters and
/// histograms are recorded only behind their <c>Enabled</c> check: a branch when nobody listens.
/// </remarks>
internal static class FuturesMetrics
{
    public const string MeterName = "Futures";

    public static readonly Meter Meter = new(MeterName, typeof(FuturesMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>Executors alive and not shut down; weak, so a forgotten executor is not kept alive by metrics.</summary>
    private static readonly ConditionalWeakTable<IObservableExecutor, object?> s_executors = new();

    public static readonly Counter<long> TasksCompleted = Meter.CreateCounter<long>(
        "futures.tasks.completed", "{task}", "Tasks that ended, by outcome: result, exception, cancelled, timed_out, broken.");

    public static readonly Histogram<double> QueueTime = Meter.CreateHistogram<double>(
        "futures.task.queue_time", "s", "Time a task waited in the queue before a worker started it.");

    public static readonly Histogram<double> RunTime = Meter.CreateHistogram<double>(
        "futures.task.run_time", "s", "Time a task ran on its worker.");

    public static readonly Counter<long> WorkersStarted = Meter.CreateCounter<long>(
        "futures.workers.started", "{worker}", "Workers (threads or processes) started.");

    public static readonly Counter<long> WorkersReplaced = Meter.CreateCounter<long>(
        "futures.workers.replaced", "{worker}", "Worker processes replaced, by reason: max_tasks_per_child, crash, task_timeout.");

    static FuturesMetrics()
    {
        Meter.CreateObservableUpDownCounter("futures.queue.depth", () => Observe(static e => e.QueueDepth),
            "{task}", "Tasks submitted and not yet started.");
        Meter.CreateObservableUpDownCounter("futures.workers.busy", () => Observe(static e => e.BusyWorkers),
            "{worker}", "Workers running a task now.");
        Meter.CreateObservableUpDownCounter("futures.workers.live", () => Observe(static e => e.LiveWorkers),
            "{worker}", "Workers alive (threads or processes).");
    }

    public static void Register(IObservableExecutor executor) => s_executors.AddOrUpdate(executor, null);

    public static void Unregister(IObservableExecutor executor) => s_executors.Remove(executor);

    private static IEnumerable<Measurement<int>> Observe(Func<IObservableExecutor, int> read)
    {
        foreach (KeyValuePair<IObservableExecutor, object?> entry in s_executors)
        {
            yield return new Measurement<int>(read(entry.Key), Tags(entry.Key));
        }
    }

    public static TagList Tags(IObservableExecutor executor) => new()
    {
        { "futures.executor.kind", executor.Kind },
        { "futures.executor.name", executor.Name },
    };

    public static void RecordCompleted(IObservableExecutor executor, string outcome)
    {
        if (!TasksCompleted.Enabled) return;
        TagList tags = Tags(executor);
        tags.Add("futures.task.outcome", outcome);
        TasksCompleted.Add(1, tags);
    }

    public static void RecordQueueTime(IObservableExecutor executor, long createdTimestamp, long startedTimestamp)
    {
        if (QueueTime.Enabled) QueueTime.Record(Seconds(createdTimestamp, startedTimestamp), Tags(executor));
    }

    public static void RecordRunTime(IObservableExecutor executor, long startedTimestamp, long finishedTimestamp)
    {
        if (RunTime.Enabled) RunTime.Record(Seconds(startedTimestamp, finishedTimestamp), Tags(executor));
    }

    public static void RecordWorkerStarted(IObservableExecutor executor)
    {
        if (WorkersStarted.Enabled) WorkersStarted.Add(1, Tags(executor));
    }

    public static void RecordWorkerReplaced(IObservableExecutor executor, string reason)
    {
        if (!WorkersReplaced.Enabled) return;
        TagList tags = Tags(executor);
        tags.Add("futures.worker.replace_reason", reason);
        WorkersReplaced.Add(1, tags);
    }

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;
}
