namespace Futures.Orleans;

/// <summary>Options of an <see cref="OrleansExecutor"/>.</summary>
public sealed class OrleansExecutorOptions
{
    /// <summary>Tasks on the cluster at once; the rest wait locally, where <see cref="Future.Cancel"/> still succeeds. Default 1024.</summary>
    public int MaxInFlight { get; set; } = 1024;

    /// <summary>A task that runs longer fails with <see cref="TimeoutException"/>, as with <see cref="ProcessPoolExecutor"/>'s <c>taskTimeout</c>; null for no limit.</summary>
    /// <remarks>Counted from the moment the task starts on its node. A node that isolates tasks in processes kills the task's process; one that runs them on threads abandons the thread's call.</remarks>
    public TimeSpan? TaskTimeout { get; set; }

    /// <summary>How often a task whose node was lost while running it is resubmitted; 0 fails it with <see cref="WorkerLostException"/>.</summary>
    /// <remarks>A task still queued on a lost node had not started; it is resubmitted without counting.</remarks>
    public int RetriesOnNodeLoss { get; set; }

    /// <summary>What a lost node does: fail only its tasks (<see cref="WorkerCrashMode.ReplaceWorker"/>, the default) or break the executor.</summary>
    public WorkerCrashMode WorkerCrashMode { get; set; } = WorkerCrashMode.ReplaceWorker;

    /// <summary>Identifies the executor in metrics, traces and <see cref="OrleansExecutor.ToString"/>; default <c>OrleansExecutor-{k}</c>.</summary>
    public string? Name { get; set; }
}
