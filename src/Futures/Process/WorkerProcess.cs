using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipes;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>
/// The parent's handle on one worker process: its pipe pair, a reader thread that posts the
/// worker's frames to the manager, a writer thread that sends frames (so the manager never blocks
/// on a full pipe), and the calls the worker holds.
/// </summary>
/// <remarks>
/// The manager thread owns the mutable call bookkeeping (<see cref="InFlight"/> and the flags below):
/// only it reads or writes them, so they need no lock. The threads here only move bytes and post
/// events.
/// </remarks>
internal sealed class WorkerProcess
{
    /// <summary>
    /// After a worker exits, how long to wait for its reader to reach end of file before reporting
    /// the exit anyway. Another process started at the same moment can inherit our pipe's write end
    /// and delay the end of file forever; the exit must still be reported.
    /// </summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);

    // Immutable after Start.

    /// <summary>We write calls here; the child reads.</summary>
    private readonly AnonymousPipeServerStream _calls = new(PipeDirection.Out, HandleInheritability.Inheritable);

    /// <summary>We read results here; the child writes.</summary>
    private readonly AnonymousPipeServerStream _results = new(PipeDirection.In, HandleInheritability.Inheritable);

    /// <summary>Frames waiting for the writer thread, already encoded.</summary>
    private readonly BlockingCollection<byte[]> _outbox = new();

    private readonly ManagerInbox _inbox;
    private System.Diagnostics.Process _process = null!;
    private Thread _reader = null!;

    /// <summary>Set (once) when the process has exited; read by any thread.</summary>
    private volatile bool _exited;

    private WorkerProcess(ManagerInbox inbox, int index)
    {
        _inbox = inbox;
        Index = index;
    }

    /// <summary>Starts worker number <paramref name="index"/> and its pipe threads. Manager thread only.</summary>
    public static WorkerProcess Start(WorkerLauncher launcher, ManagerInbox inbox, int index)
    {
        var worker = new WorkerProcess(inbox, index);
        // The reader starts first, so that it exists when a fast exit's handler joins it.
        worker._reader = new Thread(worker.ReadFrames) { IsBackground = true, Name = $"Futures worker {index} reader" };
        worker._reader.Start();
        worker.StartedAt = Stopwatch.GetTimestamp();
        try
        {
            worker._process = launcher.Start(worker._calls, worker._results, worker.OnExited);
        }
        catch
        {
            worker._calls.Dispose();
            worker._results.Dispose(); // ends the reader
            throw;
        }
        worker.Pid = worker._process.Id;
        new Thread(worker.WriteFrames) { IsBackground = true, Name = $"Futures worker {index} writer" }.Start();
        return worker;
    }

    /// <summary>Counts the pool's workers from 0, for names.</summary>
    public int Index { get; }

    /// <summary>The child's process id.</summary>
    public int Pid { get; private set; }

    /// <summary>When the process was started (Stopwatch ticks).</summary>
    public long StartedAt { get; private set; }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _exited;

    /// <summary>The exit code; valid once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    // Manager-thread state.

    /// <summary>Calls sent and not yet answered, oldest first; the oldest is the one running. E.g. <c>[#7 (running), #9 (queued in the pipe)]</c>.</summary>
    public Queue<PendingCall> InFlight { get; } = new();

    /// <summary>Calls ever sent to this worker, for maxTasksPerChild.</summary>
    public int TasksAssigned { get; set; }

    /// <summary>When the oldest call in <see cref="InFlight"/> started running (Stopwatch ticks), for taskTimeout.</summary>
    public long RunningSince { get; set; }

    /// <summary>Whether the worker announced that the oldest call in <see cref="InFlight"/> has started (only when it reports starts).</summary>
    public bool HeadStarted { get; set; }

    /// <summary>Whether the worker said Ready (its initializer ran).</summary>
    public bool IsReady { get; set; }

    /// <summary>Whether we told it to exit (Shutdown sent) or killed it on purpose: its exit is then expected.</summary>
    public bool IsLeaving { get; set; }

    /// <summary>Whether TerminateWorkers/KillWorkers has signalled it.</summary>
    public bool ForceSignalled { get; set; }

    /// <summary>Whether its exit has been handled by the manager (it is out of the pool).</summary>
    public bool IsGone { get; set; }

    /// <summary>Queues <paramref name="kind"/> and <paramref name="payload"/> for the writer thread.</summary>
    public void Send(MessageKind kind, byte[] payload)
    {
        try { _outbox.Add(new Frame(kind, payload).ToBytes()); }
        catch (InvalidOperationException) { } // input closed already: the worker is leaving
    }

    /// <summary>Sends Shutdown and closes our end of the call pipe once it is written.</summary>
    public void SendShutdown()
    {
        IsLeaving = true;
        Send(MessageKind.Shutdown, []);
        _outbox.CompleteAdding();
    }

    /// <summary>Sends <paramref name="signal"/> (Linux; elsewhere any signal kills).</summary>
    public void Signal(int signal)
    {
        if (_exited) return;
        try
        {
            if (OperatingSystem.IsLinux() && signal != Native.SIGKILL) Native.kill(Pid, signal);
            else _process.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited meanwhile: nothing to signal.
        }
    }

    /// <summary>Kills the process (SIGKILL) and marks its exit as expected.</summary>
    public void Kill()
    {
        IsLeaving = true;
        Signal(Native.SIGKILL);
    }

    /// <summary>Releases the pipes and the process handle. After the exit has been handled.</summary>
    public void Dispose()
    {
        _outbox.CompleteAdding();
        _results.Dispose();
        _process.Dispose();
    }

    /// <summary>The pid and how the process ended, as the contract words it: <c> Worker pid 123 exited with code 1.</c></summary>
    public string DescribeExit()
    {
        int code = ExitCode;
        // .NET reports a process ended by signal N as 128 + N.
        if (!OperatingSystem.IsWindows() && code > 128 && code <= 128 + 64)
        {
            return $" Worker pid {Pid} was killed by signal {SignalNames.Of(code - 128)} ({code - 128}).";
        }
        return $" Worker pid {Pid} exited with code {code}.";
    }

    /// <inheritdoc/>
    public override string ToString() => $"worker {Index} (pid {Pid})";

    private void ReadFrames()
    {
        try
        {
            while (Frame.ReadFrom(_results) is { } frame) _inbox.Post(new ManagerEvent(ManagerEventKind.Message, this, frame));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException)
        {
            // A worker that dies mid-frame: its exit is what counts, and that is reported below.
        }
    }

    private void WriteFrames()
    {
        try
        {
            foreach (byte[] frame in _outbox.GetConsumingEnumerable())
            {
                _calls.Write(frame);
                _calls.Flush();
            }
        }
        catch (IOException)
        {
            // Broken pipe: the worker died. Its exit is reported by OnExited.
        }
        finally
        {
            _calls.Dispose();
        }
    }

    /// <summary>Process.Exited (a thread-pool thread): let the reader post what the worker sent, then report the exit.</summary>
    private void OnExited(object? sender, EventArgs e)
    {
        _exited = true;
        _reader.Join(ExitGrace);
        _inbox.Post(new ManagerEvent(ManagerEventKind.Exited, this));
    }
}

/// <summary>Linux signal names, for exit messages.</summary>
internal static class SignalNames
{
    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
        "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    /// <summary>The name of signal <paramref name="n"/>, e.g. <c>SIGKILL</c> for 9.</summary>
    public static string Of(int n) => n > 0 && n < Names.Length ? Names[n] : $"SIG{n}";
}
