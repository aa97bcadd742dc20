namespace Futures;

/// <summary>What a <see cref="ProcessPoolExecutor"/> does when a worker process dies unexpectedly.</summary>
public enum WorkerCrashMode
{
    /// <summary>As in Python: the pool is broken; every unfinished future fails with <see cref="BrokenProcessPoolException"/> and later Submit throws it.</summary>
    BreakPool,

    /// <summary>Only the call the dead worker was running fails (<see cref="BrokenProcessPoolException"/>); calls queued to it go to other workers, a new worker takes its place, and the pool goes on.</summary>
    ReplaceWorker,
}
