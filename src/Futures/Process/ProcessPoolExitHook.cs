namespace Futures.ProcessPool;

/// <summary>
/// Lets work already submitted to a process pool finish before this process exits normally
/// (CPython's <c>_python_exit</c>), though the manager thread is a background thread.
/// </summary>
/// <remarks>
/// Run at <see cref="AppDomain.ProcessExit"/> (Main returned, or Environment.Exit): shuts every live
/// pool down and waits for it. A pool is registered when its manager starts and unregistered when
/// the manager ends. If the process dies instead, the workers die with it (parent-death signal).
/// The one wait it does not make is for a manager thread that is exiting the process itself
/// (Environment.Exit in a done-callback or a result's converter): see <see cref="ExecutorManagerThread.JoinAtExit"/>.
/// </remarks>
internal static class ProcessPoolExitHook
{
    /// <summary>Pools whose manager is running, e.g. <c>{ProcessPoolExecutor-0}</c>. Guarded by itself.</summary>
    private static readonly HashSet<ProcessPoolExecutor> s_live = [];

    /// <summary>Whether the ProcessExit handler is installed. Guarded by <see cref="s_live"/>.</summary>
    private static bool s_installed;

    public static void Register(ProcessPoolExecutor pool)
    {
        lock (s_live)
        {
            s_live.Add(pool);
            if (s_installed) return;
            s_installed = true;
            AppDomain.CurrentDomain.ProcessExit += static (_, _) => DrainAll();
        }
    }

    public static void Unregister(ProcessPoolExecutor pool)
    {
        lock (s_live) s_live.Remove(pool);
    }

    private static void DrainAll()
    {
        ProcessPoolExecutor[] pools;
        lock (s_live) pools = [.. s_live];
        foreach (ProcessPoolExecutor pool in pools) pool.ShutdownAtExit();
    }
}
