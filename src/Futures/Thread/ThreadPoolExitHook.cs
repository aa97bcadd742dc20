namespace Futures;

/// <summary>
/// Lets work already submitted to a thread pool run before the process exits normally, though its
/// workers are background threads (CPython's <c>_python_exit</c>, registered with
/// <c>threading._register_atexit</c>).
/// </summary>
/// <remarks>
/// Background threads keep a process with idle workers from hanging at exit; this hook, run at
/// <see cref="AppDomain.ProcessExit"/> (Main returned, or Environment.Exit), shuts every live
/// pool down and waits for its queue to drain. A pool is registered when it starts its first
/// worker and unregistered by Shutdown.
/// </remarks>
internal static class ThreadPoolExitHook
{
    /// <summary>Pools with workers that have not been shut down. Guarded by itself.</summary>
    private static readonly HashSet<ThreadPoolExecutor> s_live = [];

    /// <summary>Whether the ProcessExit handler is installed. Guarded by <see cref="s_live"/>.</summary>
    private static bool s_installed;

    public static void Register(ThreadPoolExecutor pool)
    {
        lock (s_live)
        {
            s_live.Add(pool);
            if (s_installed) return;
            s_installed = true;
            AppDomain.CurrentDomain.ProcessExit += static (_, _) => DrainAll();
        }
    }

    public static void Unregister(ThreadPoolExecutor pool)
    {
        lock (s_live) s_live.Remove(pool);
    }

    private static void DrainAll()
    {
        ThreadPoolExecutor[] pools;
        lock (s_live) pools = [.. s_live];
        foreach (ThreadPoolExecutor pool in pools) pool.Shutdown(wait: true);
    }
}
