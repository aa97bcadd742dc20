namespace Futures.Diagnostics;

/// <summary>The values of the <c>futures.executor.kind</c> tag.</summary>
internal static class ExecutorKind
{
    public const string Thread = "thread";
    public const string Process = "process";
    public const string Orleans = "orleans";
    public const string Custom = "custom";
}

/// <summary>The values of the <c>futures.task.outcome</c> tag of <c>futures.tasks.completed</c>.</summary>
internal static class TaskOutcome
{
    public const string Result = "result";
    public const string Exception = "exception";
    public const string Cancelled = "cancelled";
    public const string TimedOut = "timed_out";
    public const string Broken = "broken";
}

/// <summary>The values of the <c>futures.worker.replace_reason</c> tag of <c>futures.workers.replaced</c>.</summary>
internal static class ReplaceReason
{
    public const string MaxTasksPerChild = "max_tasks_per_child";
    public const string Crash = "crash";
    public const string TaskTimeout = "task_timeout";
}

/// <summary>What an executor reports to the observable instruments (read on each collection, never on the submit path).</summary>
internal interface IObservableExecutor
{
    string Kind { get; }
    string Name { get; }
    int QueueDepth { get; }
    int BusyWorkers { get; }
    int LiveWorkers { get; }
}
