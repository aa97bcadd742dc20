using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.CompilerServices;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>
/// The parent's handle on one worker process: its pipe pair, a reader thread that takes the worker's
/// frames and reports them to the pool's <see cref="CallDispatcher"/> (results, Ready, Started) or
/// manager (anything else), and a writer thread for large frames.
/// </summary>
/// <remarks>
/// It holds no call state: which calls the worker has, and whether its exit is expected, are the
/// dispatcher's. The send methods are called by one thread at a time (the dispatcher, under its
/// lock), so frames never interleave.
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

    /// <summary>
    /// A frame with a payload up to this size is written to the pipe by the sending thread itself;
    /// larger ones go through the writer thread.
    /// </summary>
    /// <remarks>
    /// Such a write never blocks: at most three frames are ever owed to a worker at once (Init, the
    /// running call and the extra one; Shutdown only once it has answered them all), and a quarter of
    /// the pipe's buffer each fits them all even while the worker is busy in user code and reads
    /// nothing (on Linux it reads the pipe from its main loop; elsewhere a reader thread drains it at
    /// once). A large frame (a big argument) could block for as long as the worker takes to read it,
    /// so the writer thread sends it, and every frame after it until it is written (order is kept).
    /// </remarks>
    private readonly int _inlineWriteLimit;

    /// <summary>The dispatcher this reader thread reports to, on a reader thread; null elsewhere.</summary>
    [ThreadStatic] private static CallDispatcher? t_readerOf;

    /// <summary>Frames waiting for the writer thread.</summary>
    private readonly BlockingCollection<Frame> _outbox = new();

    /// <summary>Frames in <see cref="_outbox"/> not yet written; while any, later frames queue behind them.</summary>
    private int _queuedWrites;

    /// <summary>The ids of the call headers this worker has been sent (it resolves each once). Used by the sending thread.</summary>
    private readonly HashSet<int> _headersSent = new();

    /// <summary>Set by <see cref="SendShutdown"/>: nothing more is sent. Written by the sending thread.</summary>
    private bool _inputClosed;

    /// <summary>Where frames the dispatcher does not take go (an initializer failure, a protocol error), and the exit.</summary>
    private readonly ManagerInbox _inbox;

    /// <summary>Takes results, Ready and Started; null: every frame is posted to <see cref="_inbox"/> (tests drive a worker so).</summary>
    private readonly CallDispatcher? _owner;
    private System.Diagnostics.Process _process = null!;
    private Thread _reader = null!;

    /// <summary>Copies the worker's stderr to ours and keeps its first lines; set just after the start (so possibly after a fast exit's handler began).</summary>
    private WorkerStderr? _stderr;

    /// <summary>The exit code the worker reported from its ProcessExit handler (<see cref="MessageKind.Exiting"/>); null if none came. Set by the reader thread before the exit is handled.</summary>
    private volatile StrongBox<int>? _reportedExitCode;

    /// <summary>Set (once) when the process has exited; read by any thread.</summary>
    private volatile bool _exited;

    private WorkerProcess(CallDispatcher? owner, ManagerInbox inbox, int index)
    {
        _owner = owner;
        _inbox = inbox;
        int capacity = OperatingSystem.IsLinux()
            ? Math.Min(64 * 1024, Native.fcntl((int)_calls.SafePipeHandle.DangerousGetHandle(), Native.F_GETPIPE_SZ, 0))
            : 4096; // the smallest buffer we expect anywhere; the worker's reader thread drains it there
        _inlineWriteLimit = Math.Max(0, capacity / 4 - Frame.HeaderSize);
        Index = index;
    }

    /// <summary>Starts worker number <paramref name="index"/>, whose frames are posted to <paramref name="inbox"/> as events.</summary>
    public static WorkerProcess Start(WorkerLauncher launcher, ManagerInbox inbox, int index) => Start(launcher, null, inbox, index);

    /// <summary>Starts worker number <paramref name="index"/> and its pipe threads; <paramref name="owner"/> takes its results. Manager thread only.</summary>
    public static WorkerProcess Start(WorkerLauncher launcher, CallDispatcher? owner, ManagerInbox inbox, int index)
    {
        var worker = new WorkerProcess(owner, inbox, index);
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
        Volatile.Write(ref worker._stderr, WorkerStderr.Start(worker._process.StandardError.BaseStream, index));
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

    /// <summary>Whether the current thread is a reader thread of a worker of <paramref name="owner"/>.</summary>
    public static bool IsReaderThreadOf(CallDispatcher owner) => t_readerOf == owner;

    /// <summary>
    /// Sends <paramref name="kind"/> and <paramref name="payload"/>: a small frame from this thread, at
    /// once (one thread hop less per call), a large one through the writer thread.
    /// </summary>
    public void Send(MessageKind kind, byte[] payload)
    {
        if (_inputClosed) return; // the worker is leaving
        var frame = new Frame(kind, payload);
        if (payload.Length <= _inlineWriteLimit && Volatile.Read(ref _queuedWrites) == 0) WriteNow(frame.ToBytes());
        else QueueFrame(frame);
    }

    /// <summary>
    /// Sends a call: its header first if this worker has not had it, its blobs (see <see cref="Codec.BlobList"/>)
    /// as frames, then the call; together in one write when they are small (counted as one frame against
    /// <see cref="_inlineWriteLimit"/>), else through the writer thread, uncopied.
    /// </summary>
    /// <param name="header">The call's header, sent once per worker; null for a call that travels whole.</param>
    /// <param name="blobs">The call's blobs, or null.</param>
    /// <param name="kind"><see cref="MessageKind.CallById"/> (with a header) or <see cref="MessageKind.Call"/>.</param>
    /// <param name="payload">The call.</param>
    public void SendCall(SentHeader? header, IReadOnlyList<object>? blobs, MessageKind kind, byte[] payload)
    {
        if (_inputClosed) return;
        // The header counts as sent once its frames exist (building a blob's frame can throw).
        bool newHeader = header is not null && !_headersSent.Contains(header.Id);
        int blobCount = blobs?.Count ?? 0;
        if (!newHeader && blobCount == 0)
        {
            Send(kind, payload);
            return;
        }
        var frames = new Frame[(newHeader ? 1 : 0) + blobCount + 1];
        int at = 0;
        if (newHeader) frames[at++] = new Frame(MessageKind.Header, header!.Payload);
        for (int i = 0; i < blobCount; i++) frames[at++] = Frame.ForBlob(blobs![i]);
        frames[at] = new Frame(kind, payload);
        if (newHeader) _headersSent.Add(header!.Id);
        if (Frame.FitInOneWrite(frames, _inlineWriteLimit + Frame.HeaderSize) && Volatile.Read(ref _queuedWrites) == 0)
        {
            WriteNow(Frame.Concat(frames));
            return;
        }
        foreach (Frame frame in frames) QueueFrame(frame);
    }

    private void WriteNow(byte[] bytes)
    {
        try
        {
            _calls.Write(bytes);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Broken pipe: the worker died. Its exit is reported by OnExited.
        }
    }

    /// <summary>Hands a frame to the writer thread, which writes it (a large payload uncopied, text encoded as it goes).</summary>
    private void QueueFrame(Frame frame)
    {
        try
        {
            Interlocked.Increment(ref _queuedWrites);
            _outbox.Add(frame);
        }
        catch (InvalidOperationException)
        {
            // Disposed already: the worker is gone.
        }
    }

    /// <summary>Sends Shutdown and closes our end of the call pipe once it is written.</summary>
    public void SendShutdown()
    {
        Send(MessageKind.Shutdown, []);
        _inputClosed = true;
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

    /// <summary>Releases the pipes and the process handle. After the exit has been handled.</summary>
    public void Dispose()
    {
        _outbox.CompleteAdding();
        _results.Dispose();
        _process.Dispose();
    }

    /// <summary>
    /// The pid and how the process ended, as the contract words it: <c> Worker pid 123 exited with code 1.</c>,
    /// <c> Worker pid 123 was killed by signal SIGKILL (9).</c>, or for a worker that never became ready
    /// and did not say why, <c> Worker pid 123 failed to start (exit status 145). Its standard error: ...</c>.
    /// </summary>
    /// <remarks>
    /// .NET reports a process ended by signal N as exit code 128 + N, and so does a plain exit with such a
    /// code: <c>Environment.Exit(129)</c>, or the .NET host failing to start (<c>dotnet exec ''</c> exits
    /// 129). A worker reports its own exit code when it exits through Environment.Exit (and so also when its
    /// loop ends), so a code it reported is an exit code; a code above 128 it did not report is a signal once
    /// it was running user code (ready), or one we sent; before that it is a start failure, told with what
    /// the worker printed to stderr.
    /// </remarks>
    /// <param name="ready">Whether the worker said Ready (it ran user code).</param>
    /// <param name="signalledByUs">Whether we told it to exit, killed it or signalled it (TerminateWorkers).</param>
    public string DescribeExit(bool ready, bool signalledByUs)
    {
        int code = ExitCode;
        if (_reportedExitCode?.Value == code) return $" Worker pid {Pid} exited with code {code}.";
        if (!ready && !signalledByUs)
        {
            string stderr = Volatile.Read(ref _stderr)?.FirstLines() ?? "";
            return $" Worker pid {Pid} failed to start (exit status {code})." + (stderr.Length > 0 ? $" Its standard error:\n{stderr}" : "");
        }
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
        t_readerOf = _owner;
        List<object>? blobs = null; // the blob frames received since the last result, which belong to the next one
        bool handling = false; // a whole frame is being handled: what throws now is no failure of the pipe
        try
        {
            var input = new PipeInput(_results); // results that came together: one read
            while (Frame.ReadFrom(input) is { } frame)
            {
                handling = true;
                switch (frame.Kind)
                {
                    case MessageKind.Exiting:
                        _reportedExitCode = new StrongBox<int>(BitConverter.ToInt32(frame.Payload));
                        break;
                    case MessageKind.Blob or MessageKind.TextBlob when _owner is not null:
                        (blobs ??= new()).Add(frame.Blob);
                        break;
                    case MessageKind.Result when _owner is not null:
                        ResultItem result = ResultItem.Decode(frame.Payload) with { Blobs = blobs };
                        blobs = null;
                        _owner.OnResult(this, result);
                        break;
                    case MessageKind.Ready when _owner is not null:
                        _owner.OnReady(this);
                        break;
                    case MessageKind.Started when _owner is not null:
                        _owner.OnStarted(this, BitConverter.ToInt64(frame.Payload));
                        break;
                    default:
                        _inbox.Post(new ManagerEvent(ManagerEventKind.Message, this, frame));
                        break;
                }
                handling = false;
            }
        }
        catch (Exception e) when (!handling && e is IOException or InvalidDataException or ObjectDisposedException)
        {
            // A worker that dies mid-frame: its exit is what counts, and that is reported by OnExited.
        }
        catch (Exception)
        {
            // A bug in handling a frame must not hang anyone: with nobody reading its results the
            // worker is unusable, and its exit breaks the pool or replaces it.
            Signal(Native.SIGKILL);
        }
    }

    private void WriteFrames()
    {
        try
        {
            bool grown = false;
            foreach (Frame frame in _outbox.GetConsumingEnumerable())
            {
                if (!grown && (frame.Text?.Length ?? frame.Length) >= Native.LargeFrame)
                {
                    grown = true;
                    Native.GrowPipe(_calls.SafePipeHandle);
                }
                frame.WriteTo(_calls);
                Interlocked.Decrement(ref _queuedWrites);
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

    /// <summary>Process.Exited (a thread-pool thread): let the reader post what the worker sent (and the stderr pump take what it printed), then report the exit.</summary>
    private void OnExited(object? sender, EventArgs e)
    {
        _exited = true;
        long since = Stopwatch.GetTimestamp();
        _reader.Join(ExitGrace);
        // Set just after the process started: an exit that fast waits for it (the start returns at once).
        SpinWait.SpinUntil(() => Volatile.Read(ref _stderr) is not null, ExitGrace);
        TimeSpan left = ExitGrace - Stopwatch.GetElapsedTime(since);
        Volatile.Read(ref _stderr)?.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
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
