using System.Diagnostics;

namespace Futures.Internal;

/// <summary>What the exit hook shuts down: an executor, or the part of one that its workers hold (the thread pool's core).</summary>
internal interface IShutdownAtExit
{
    /// <summary>Takes no more work and lets the work already submitted finish, without waiting for a thread that is itself exiting the process.</summary>
    void ShutdownAtExit();
}

/// <summary>
/// Lets work already submitted to an executor finish before the process exits normally, though
/// the executors' threads are background threads (CPython's <c>_python_exit</c>, registered with
/// <c>threading._register_atexit</c>).
/// </summary>
/// <remarks>
/// Background threads keep a process with idle workers from hanging at exit; this hook, run at
/// <see cref="AppDomain.ProcessExit"/> (Main returned, or Environment.Exit), calls
/// <see cref="IShutdownAtExit.ShutdownAtExit"/> on every live executor. The thread pool registers
/// its core when it starts its first worker and unregisters it when its last worker has exited;
/// the process pool registers when its manager starts and unregisters when the manager ends.
/// </remarks>
internal static class ExecutorExitHook
{
    /// <summary>
    /// How long a thread may stay blocked in user code, without a break, before the hook stops
    /// waiting for it as the thread that is exiting the process (see <see cref="JoinAtExit"/>).
    /// Longer spares more of a slow blocking call when Main returns; shorter ends sooner a process
    /// whose call or callback called Environment.Exit.
    /// </summary>
    public static readonly TimeSpan UserCodeExitGrace = TimeSpan.FromSeconds(1);

    /// <summary>How often <see cref="JoinAtExit"/> looks at the thread it waits for.</summary>
    private static readonly TimeSpan JoinPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Executors (or their cores) with work or workers alive, e.g. <c>{ThreadPoolCore(ThreadPoolExecutor-0), ProcessPoolExecutor-0}</c>. Guarded by itself.</summary>
    private static readonly HashSet<IShutdownAtExit> s_live = [];

    /// <summary>Whether the ProcessExit handler is installed. Guarded by <see cref="s_live"/>.</summary>
    private static bool s_installed;

    public static void Register(IShutdownAtExit executor)
    {
        lock (s_live)
        {
            s_live.Add(executor);
            if (s_installed) return;
            s_installed = true;
            AppDomain.CurrentDomain.ProcessExit += static (_, _) => DrainAll();
        }
    }

    public static void Unregister(IShutdownAtExit executor)
    {
        lock (s_live) s_live.Remove(executor);
    }

    private static void DrainAll()
    {
        IShutdownAtExit[] executors;
        lock (s_live) executors = [.. s_live];
        foreach (IShutdownAtExit executor in executors) executor.ShutdownAtExit();
    }

    /// <summary>
    /// Waits for <paramref name="thread"/> to end, unless it is the thread that is exiting the
    /// process: a thread that called Environment.Exit inside user code (a call, an initializer, a
    /// done-callback) blocks there for good while the ProcessExit handlers run on another thread,
    /// so joining it would hang the exit.
    /// </summary>
    /// <remarks>
    /// .NET does not say which thread called Environment.Exit, and that thread looks like any
    /// other blocked one (WaitSleepJoin). The rule: a thread seen blocked in user code
    /// (<paramref name="inUserCode"/>) without a break for <see cref="UserCodeExitGrace"/> is taken
    /// for it, and the hook stops waiting; the process then ends with it. Seen running, or out of
    /// user code, even once, and the count starts again. So a call blocked that long when Main
    /// returns (a slow read, a sleep) is not waited for to the end either: it ends with the process.
    /// </remarks>
    /// <returns>Whether the thread ended (false: taken for the exiting thread, or it is this thread).</returns>
    public static bool JoinAtExit(Thread thread, Func<bool> inUserCode)
    {
        if (thread == Thread.CurrentThread) return false;
        long stuckSince = 0;
        while (!thread.Join(JoinPollInterval))
        {
            bool stuck = inUserCode() && (thread.ThreadState & System.Threading.ThreadState.WaitSleepJoin) != 0;
            if (!stuck) stuckSince = 0;
            else if (stuckSince == 0) stuckSince = Stopwatch.GetTimestamp();
            else if (Stopwatch.GetElapsedTime(stuckSince) > UserCodeExitGrace) return false;
        }
        return true;
    }
}
