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

    /// <summary><c>fcntl</c> command: set a pipe's capacity (rounded up to a power of two pages; at most <c>/proc/sys/fs/pipe-max-size</c> unprivileged).</summary>
    public const int F_SETPIPE_SZ = 1031;

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

    /// <summary>A frame this large (or a text of this many chars) grows the pipe it goes through (<see cref="GrowPipe"/>).</summary>
    public const int LargeFrame = 256 * 1024;

    /// <summary>
    /// Grows a pipe to 1 MB (Linux's default <c>pipe-max-size</c>) for large frames: with the default
    /// 64 KB, writer and reader take turns (and the pipe's lock) every 64 KB, 160 times per 10 MB;
    /// measured, a 10 MB echo went from 284-392 to 575-676 MB/s. Only pipes that carry a large frame
    /// grow (callers grow each pipe once): a pipe's capacity counts against the user's pipe quota
    /// (<c>pipe-user-pages-soft</c>, 64 MB), past which every new pipe of the user gets one page.
    /// A failure (a lower limit, the quota) leaves the pipe as it is.
    /// </summary>
    public static void GrowPipe(SafeHandle pipe)
    {
        if (OperatingSystem.IsLinux()) fcntl((int)pipe.DangerousGetHandle(), F_SETPIPE_SZ, 1024 * 1024);
    }
}
