using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Futures.Tests;

/// <summary>
/// A dedicated thread started by a test, standing in for CPython's "complete it later from
/// another thread". <see cref="Join"/> (or Dispose) waits for it and rethrows what it threw,
/// so every helper thread has ended when its test ends.
/// </summary>
internal sealed class HelperThread : IDisposable
{
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _error;
    private bool _joined;

    private HelperThread(Action body, string name)
    {
        _thread = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) { _error = ExceptionDispatchInfo.Capture(e); }
        })
        { IsBackground = true, Name = name };
    }

    /// <summary>The underlying thread, e.g. to compare with the thread a callback ran on.</summary>
    public Thread Thread => _thread;

    /// <summary>Starts <paramref name="body"/> on a new dedicated thread.</summary>
    public static HelperThread Start(Action body, string name = "test helper")
    {
        var helper = new HelperThread(body, name);
        helper._thread.Start();
        return helper;
    }

    /// <summary>
    /// Starts a thread that runs <paramref name="action"/> once <paramref name="waiter"/> is blocked
    /// (CPython sleeps a second instead, "until the main thread is waiting"). Seeing the waiter blocked
    /// for some other reason only makes the action run earlier; tests must hold in either order.
    /// </summary>
    public static HelperThread WhenBlocked(Thread waiter, Action action, string name = "test completer") =>
        Start(() =>
        {
            WaitUntilBlocked(waiter);
            action();
        }, name);

    /// <summary>Spins until <paramref name="thread"/> is in a wait, sleep or join.</summary>
    public static void WaitUntilBlocked(Thread thread)
    {
        var clock = Stopwatch.StartNew();
        var spin = new SpinWait();
        while ((thread.ThreadState & System.Threading.ThreadState.WaitSleepJoin) == 0)
        {
            if (clock.Elapsed > TestBase.UnexpectedTimeout) throw new TimeoutException($"Thread '{thread.Name}' never blocked.");
            spin.SpinOnce();
        }
    }

    /// <summary>Waits for the thread to end and rethrows what it threw.</summary>
    public void Join()
    {
        if (!_joined)
        {
            _thread.Join(TestBase.UnexpectedTimeout).Should().BeTrue("helper thread '{0}' should end", _thread.Name);
            _joined = true;
        }
        _error?.Throw();
    }

    public void Dispose()
    {
        if (!_joined) Join();
    }
}
