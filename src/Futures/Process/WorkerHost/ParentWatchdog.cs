namespace Futures.ProcessPool.WorkerHost;

/// <summary>Makes a worker die with its parent, even when the parent is killed with SIGKILL.</summary>
/// <remarks>
/// Three layers: <c>prctl(PR_SET_PDEATHSIG, SIGKILL)</c> (Linux; fires when the parent's thread
/// that started us ends, which is the pool's manager thread), a check of <c>getppid()</c> right
/// after it (the parent may already be gone), and a thread that polls <c>getppid()</c>. The
/// worker loop adds the fourth: end of file on the call pipe (see <see cref="WorkerLoop"/>).
/// </remarks>
internal static class ParentWatchdog
{
    /// <summary>Exit code of a worker that saw its parent die.</summary>
    public const int ParentLostExitCode = 86;

    /// <summary>How often the polling thread checks the parent; a worker outlives its parent by at most this.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Arms the watchdog for parent <paramref name="parentPid"/>; exits at once if the parent is gone already.</summary>
    public static void Start(int parentPid)
    {
        if (!OperatingSystem.IsLinux()) return;
        Native.prctl(Native.PR_SET_PDEATHSIG, Native.SIGKILL, 0, 0, 0);
        if (Native.getppid() != parentPid) ExitNow();
        var thread = new Thread(() =>
        {
            while (Native.getppid() == parentPid) Thread.Sleep(PollInterval);
            ExitNow();
        })
        { IsBackground = true, Name = "Futures worker parent watchdog" };
        thread.Start();
    }

    /// <summary>Leaves at once, without running user code (finalizers, ProcessExit handlers) that could hang.</summary>
    public static void ExitNow()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) Native._exit(ParentLostExitCode);
        Environment.Exit(ParentLostExitCode);
    }
}
