using System.Runtime.InteropServices;

namespace Futures.ProcessPool;

/// <summary>The few libc calls the process pool needs (Linux; the callers check the platform).</summary>
/// <remarks>DllImport, not LibraryImport: every argument is blittable, and LibraryImport would need unsafe code in the whole library.</remarks>
internal static class Native
{
    /// <summary><c>prctl</c> option: the signal to receive when the parent thread dies.</summary>
    public const int PR_SET_PDEATHSIG = 1;

    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [DllImport("libc", SetLastError = true)]
    public static extern int prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);

    [DllImport("libc")]
    public static extern int getppid();

    [DllImport("libc", SetLastError = true)]
    public static extern int kill(int pid, int signal);

    [DllImport("libc")]
    public static extern void _exit(int status);
}
