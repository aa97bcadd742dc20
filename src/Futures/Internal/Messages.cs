namespace Futures.Internal;

/// <summary>The exact messages of the contract (most of them CPython's own words), in one place.</summary>
internal static class Messages
{
    public const string Shutdown = "cannot schedule new futures after shutdown";
    public const string UnexpectedState = "Future in unexpected state";
    public const string MaxWorkers = "max_workers must be greater than 0";
    public const string MaxQueueSize = "max_queue_size must be greater than 0";
    public const string ChunkSize = "chunksize must be >= 1.";
    public const string BufferSize = "buffersize must be None or > 0";
    public const string ThreadInitializerFailed = "A thread initializer failed, the thread pool is not usable anymore";
    public const string ProcessInitializerFailed = "A process pool initializer failed, the process pool is not usable anymore";
    public const string ProcessTerminatedAbruptly =
        "A process in the process pool was terminated abruptly while the future was running or pending.";
    public const string QueueFull = "The executor's work queue is full.";
    public const string NullTask = "The async function returned null instead of a Task.";
    public const string MapEnumeratedTwice = "The results of Map can be enumerated only once, as in Python: call Map again to run the calls again.";

    public const string CallerRunsInProcessPool =
        "QueueFullMode.CallerRuns would run the work in this process, outside any worker; a process pool supports Wait and Throw.";

    public static string WorkerStartFailed(string reason) => $"A process pool worker could not be started: {reason}";

    public static string TaskTimedOut(TimeSpan timeout, int pid) =>
        $"The task ran longer than the task timeout ({timeout}); its worker (pid {pid}) was killed and replaced.";

    public static string FuturesUnfinished(int unfinished, int total) => $"{unfinished} (of {total}) futures unfinished";
}
