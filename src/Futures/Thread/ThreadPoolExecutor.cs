using System.Diagnostics;
using Futures.Internal;

namespace Futures;

/// <summary>
/// An executor that runs calls on dedicated worker threads (Python's <c>ThreadPoolExecutor</c>),
/// for I/O-bound work and blocking calls that would starve the .NET thread pool.
/// </summary>
/// <remarks>
/// Work goes into a <see cref="System.Threading.Channels.Channel{T}"/>: unbounded by default, as in
/// Python, or bounded by <c>maxQueueSize</c> with the chosen <see cref="QueueFullMode"/>. Worker
/// threads are started lazily, only when no idle worker can take new work, up to
/// <see cref="MaxWorkers"/>, and named <c>{prefix}_{n}</c>. They are background threads, yet work
/// already submitted still runs before the process exits normally (see <see cref="ExecutorExitHook"/>).
/// An executor that is never shut down and no longer referenced lets its idle workers end (its
/// workers hold only its <see cref="ThreadPoolCore"/>, as CPython's hold the executor weakly); the
/// work it accepted still runs.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class ThreadPoolExecutor : Executor
{
    /// <summary>Numbers the default names, <c>ThreadPoolExecutor-{k}</c>, as CPython's counter does.</summary>
    private static int s_counter = -1;

    /// <summary>The queue and the workers. They hold it, never this front: see the class remarks.</summary>
    private readonly ThreadPoolCore _core;

    /// <summary>Creates a thread pool executor.</summary>
    /// <param name="maxWorkers">The most threads that run calls at once; default <see cref="DefaultMaxWorkers"/>.</param>
    /// <param name="threadNamePrefix">Worker threads are named <c>{prefix}_{n}</c>; default <c>ThreadPoolExecutor-{k}</c>.</param>
    /// <param name="initializer">Runs at the start of each worker thread; if it throws, the pool is broken.</param>
    /// <param name="maxQueueSize">The most calls waiting to start; <c>null</c> for no limit.</param>
    /// <param name="queueFullMode">What Submit does when the bounded queue is full.</param>
    /// <param name="name">Identifies the executor in metrics, traces and <see cref="ToString"/>; default the thread-name prefix.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> or <paramref name="maxQueueSize"/> is zero or negative.</exception>
    public ThreadPoolExecutor(int? maxWorkers = null, string? threadNamePrefix = null,
        Action? initializer = null, int? maxQueueSize = null,
        QueueFullMode queueFullMode = QueueFullMode.Wait, string? name = null)
    {
        if (maxWorkers <= 0) throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers, Messages.MaxWorkers);
        if (maxQueueSize <= 0) throw new ArgumentOutOfRangeException(nameof(maxQueueSize), maxQueueSize, Messages.MaxQueueSize);
        if (!Enum.IsDefined(queueFullMode)) throw new ArgumentOutOfRangeException(nameof(queueFullMode), queueFullMode, null);

        string prefix = threadNamePrefix ?? $"ThreadPoolExecutor-{Interlocked.Increment(ref s_counter)}";
        _core = new ThreadPoolCore(maxWorkers ?? DefaultMaxWorkers, prefix, name ?? prefix, initializer, maxQueueSize, queueFullMode);
    }

    /// <summary>
    /// Nobody can submit any more: the idle workers may end once the queue is drained (CPython's
    /// weakref callback, which wakes the workers). Not a Shutdown: nothing is cancelled, and the
    /// calls accepted still run. (No core when the constructor threw.)
    /// </summary>
    ~ThreadPoolExecutor() => _core?.Release();

    /// <summary>The most threads that run calls at once.</summary>
    public int MaxWorkers => _core.MaxWorkers;

    /// <summary>Identifies the executor in metrics, traces and <see cref="ToString"/>.</summary>
    public string Name => _core.Name;

    /// <summary>The default <c>maxWorkers</c>: <c>Math.Min(32, Environment.ProcessorCount + 4)</c>, as in Python.</summary>
    public static int DefaultMaxWorkers => Math.Min(32, Environment.ProcessorCount + 4);

    /// <summary>The queue and workers, for tests.</summary>
    internal ThreadPoolCore Core => _core;

    /// <summary>Calls queued and not yet taken by a worker.</summary>
    internal int QueueDepth => _core.QueueDepth;

    /// <summary>Worker threads started so far.</summary>
    internal int ThreadCount => _core.ThreadCount;

    /// <summary>The worker threads started so far, for tests.</summary>
    internal Thread[] Threads => _core.Threads;

    /// <inheritdoc/>
    protected override void Schedule(WorkItem item) => _core.Schedule(item);

    /// <inheritdoc/>
    protected override ValueTask ScheduleAsync(WorkItem item, CancellationToken cancellationToken) =>
        _core.ScheduleAsync(item, cancellationToken);

    /// <summary>Throws why the executor no longer takes work: broken first, as in Python, else shut down.</summary>
    private protected override void ThrowClosed() => _core.ThrowClosed();

    /// <inheritdoc/>
    public override void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        base.Shutdown(wait, cancelFutures);
        _core.Shutdown(wait, cancelFutures);
    }

    private protected override ValueTask ShutdownAsync()
    {
        base.Shutdown(wait: false);
        return new ValueTask(_core.ShutdownAsync());
    }

    /// <summary>Describes the executor: kind, name, workers and queue depth, shut down or broken.</summary>
    /// <returns>For example <c>ThreadPoolExecutor(name=ThreadPoolExecutor-0, threads=4/4, queued=12)</c>.</returns>
    public override string ToString() => $"ThreadPoolExecutor({_core.Describe()})";
}
