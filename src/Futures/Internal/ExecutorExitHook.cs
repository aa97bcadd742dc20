namespace Futures.Internal;

/// <summary>
/// Lets work already submitted to an executor finish before the process exits normally, though
/// the executors' threads are background threads (CPython's <c>_python_exit</c>, registered with
/// <c>threading._register_atexit</c>).
/// </summary>
/// <remarks>
/// Background threads keep a process with idle workers from hanging at exit; this hook, run at
/// <see cref="AppDomain.ProcessExit"/> (Main returned, or Environment.Exit), calls
/// <see cref="Executor.ShutdownAtExit"/> on every live executor. The thread pool registers when it
/// starts its first worker and unregisters when its last worker has exited; the process pool
/// registers when its manager starts and unregisters when the manager ends.
/// </remarks>
internal static class ExecutorExitHook
{
    /// <summary>Executors with work or workers alive, e.g. <c>{ThreadPoolExecutor-0, ProcessPoolExecutor-0}</c>. Guarded by itself.</summary>
    private static readonly HashSet<Executor> s_live = [];

    /// <summary>Whether the ProcessExit handler is installed. Guarded by <see cref="s_live"/>.</summary>
    private static bool s_installed;

    public static void Register(Executor executor)
    {
        lock (s_live)
        {
            s_live.Add(executor);
            if (s_installed) return;
            s_installed = true;
            AppDomain.CurrentDomain.ProcessExit += static (_, _) => DrainAll();
        }
    }

    public static void Unregister(Executor executor)
    {
        lock (s_live) s_live.Remove(executor);
    }

    private static void DrainAll()
    {
        Executor[] executors;
        lock (s_live) executors = [.. s_live];
        foreach (Executor executor in executors) executor.ShutdownAtExit();
    }
}
