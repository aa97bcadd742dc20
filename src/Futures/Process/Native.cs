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

    /// <summary><c>poll</c> event: the other end of a pipe is closed (reported even when not asked for).</summary>
    public const short POLLHUP = 0x10;

    /// <summary><c>ioctl</c> request: bytes waiting to be read.</summary>
    public const int FIONREAD = 0x541B;

    /// <summary><c>fcntl</c> command: a pipe's capacity in bytes.</summary>
    public const int F_GETPIPE_SZ = 1032;

    /// <summary>One <c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", SetLastError = true)]
    public static extern int poll(ref PollFd fds, nuint nfds, int timeout);

    [DllImport("libc", SetLastError = true)]
    public static extern int ioctl(int fd, nint request, out int value);

    [DllImport("libc", SetLastError = true)]
    public static extern int fcntl(int fd, int command, int arg);
}
