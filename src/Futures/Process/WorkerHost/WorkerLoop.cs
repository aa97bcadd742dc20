using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Futures.Diagnostics;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool.WorkerHost;

/// <summary>
/// A worker's life (Python's <c>_process_worker</c>): run the initializer, then read a call,
/// invoke it, write its result, until told to shut down.
/// </summary>
/// <remarks>
/// On Linux the main loop reads the call pipe itself (no thread hop per call), and a hang-up watch
/// (<see cref="WatchHangup"/>) notices the parent closing the pipe while user code runs: then
/// <c>onParentLost</c> is called (the real worker exits at once). Elsewhere a reader thread takes
/// frames off the call pipe as soon as they arrive, and notices end of file the same way. Only the
/// main loop writes to the result pipe. Streams, not pipes, so that tests drive this in-process.
/// </remarks>
internal sealed class WorkerLoop
{
    /// <summary>
    /// Why the worker may find methods and types by name: it runs only what its parent named, and in a
    /// trimmed or Native AOT app the parent is this same executable, whose Futures-generated hook keeps
    /// every type that submits work whole (DynamicDependency), and whose code made every generic
    /// instantiation it sends.
    /// </summary>
    private const string WorkerFindsWhatItsParentNamed =
        "The worker runs what its parent (the same executable, in a trimmed or AOT app) named; the Futures generator keeps those types, and the parent made their generic instantiations.";

    /// <summary>Exit code after an initializer failure (the parent has been told why).</summary>
    public const int InitializerFailedExitCode = 3;

    /// <summary>The call pipe itself (its descriptor is watched for a hang-up).</summary>
    private readonly Stream _pipe;

    /// <summary>
    /// How long the worker watches its call pipe before blocking in <c>read</c> (see <see cref="PipeInput"/>):
    /// its next call, when there is one, usually comes well within it; an idle worker spends it once.
    /// </summary>
    private static readonly TimeSpan NextCallSpin = TimeSpan.FromMicroseconds(50);

    /// <summary>The call pipe, buffered: a call and the extra one queued behind it are read together.</summary>
    private readonly PipeInput _input;
    private readonly Stream _output;
    private readonly Action? _onParentLost;
    /// <summary>Finds the methods the parent names (see <see cref="AssemblyResolver"/>); made once, in the constructor, which says why that is safe.</summary>
    private readonly Func<MethodRef, (MethodInfo Method, object? Target)> _resolveMethod;

    /// <summary>Finds the types the parent names.</summary>
    private readonly Func<string, Type> _resolveType;

    /// <summary>Frames read ahead by the reader thread; completed at end of input.</summary>
    private readonly BlockingCollection<Frame> _inbox = new();

    /// <summary>The call headers the parent sent, by id, each resolved at its first call, e.g. <c>{1: Work.Identity(Int32) → Int32}</c>.</summary>
    private readonly Dictionary<int, ResolvedHeader> _headers = new();

    /// <summary>The blob frames received since the last call, which belong to the next one, e.g. <c>[byte[10 MB]]</c>.</summary>
    private readonly List<object> _blobs = new();

    /// <summary>Whether to announce each call before running it (from the <see cref="InitItem"/>).</summary>
    private bool _reportStarts;

    /// <summary>Set when <see cref="MessageKind.Shutdown"/> is read, so that the end of file after it is expected.</summary>
    private volatile bool _shutdownReceived;

    /// <summary>
    /// Whether the main loop is running user code (the initializer or a call). Cleared before the
    /// result is written: the parent closes the pipe on purpose (after Shutdown) only once it has every
    /// result, so a hang-up seen while this is set means the parent is gone.
    /// </summary>
    private volatile bool _inCall;

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = WorkerFindsWhatItsParentNamed)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = WorkerFindsWhatItsParentNamed)]
    public WorkerLoop(Stream input, Stream output, Action? onParentLost)
    {
        var resolver = new AssemblyResolver();
        _resolveMethod = resolver.ResolveMethod;
        _resolveType = resolver.ResolveType;
        _pipe = input;
        _input = new PipeInput(input, NextCallSpin);
        _output = output;
        _onParentLost = onParentLost;
    }

    /// <summary>Serves calls until shutdown or end of input; returns the process exit code.</summary>
    public int Run()
    {
        if (OperatingSystem.IsLinux() && _pipe is System.IO.Pipes.PipeStream pipe) return RunReadingDirectly(pipe);
        var reader = new Thread(ReadFrames) { IsBackground = true, Name = "Futures worker reader" };
        reader.Start();
        foreach (Frame frame in _inbox.GetConsumingEnumerable())
        {
            if (Handle(frame) is { } exitCode) return exitCode;
        }
        return 0;
    }

    /// <summary>The main loop reads the call pipe itself: one thread hop less per call than a reader thread.</summary>
    private int RunReadingDirectly(System.IO.Pipes.PipeStream input)
    {
        if (_onParentLost is not null)
        {
            int fd = (int)input.SafePipeHandle.DangerousGetHandle();
            new Thread(() => WatchHangup(fd)) { IsBackground = true, Name = "Futures worker hang-up watch" }.Start();
        }
        while (true)
        {
            Frame? frame;
            try
            {
                frame = Frame.ReadFrom(_input);
            }
            catch (IOException)
            {
                frame = null; // a broken pipe is the parent's end of file
            }
            if (frame is null) break;
            if (Handle(frame.Value) is { } exitCode) return exitCode;
        }
        _onParentLost?.Invoke();
        return 0;
    }

    /// <summary>Runs one frame from the parent; returns the exit code when the loop is over.</summary>
    private int? Handle(Frame frame)
    {
        switch (frame.Kind)
        {
            case MessageKind.Init:
                return Initialize(InitItem.Decode(frame.Payload)) ? null : InitializerFailedExitCode;
            case MessageKind.Blob or MessageKind.TextBlob:
                _blobs.Add(frame.Blob);
                return null;
            case MessageKind.Header:
                (int id, CallHeader header) = CallHeader.DecodeWithId(frame.Payload);
                _headers[id] = new ResolvedHeader(header);
                return null;
            case MessageKind.Call:
                CallItem call = CallItem.Decode(frame.Payload);
                RunCall(new ResolvedHeader(call.Header), call.Body);
                return null;
            case MessageKind.CallById:
                (int headerId, CallBody body) = CallBody.DecodeWithHeaderId(frame.Payload);
                if (!_headers.TryGetValue(headerId, out ResolvedHeader? known)) throw new InvalidDataException($"Call {body.CallId} names header {headerId}, which never came.");
                RunCall(known, body);
                return null;
            case MessageKind.Shutdown:
                _shutdownReceived = true;
                return 0;
            default:
                throw new InvalidDataException($"Unexpected message {frame.Kind} from the parent.");
        }
    }

    /// <summary>Runs one call and sends its result (announcing it first where the parent wants starts reported).</summary>
    private void RunCall(ResolvedHeader header, CallBody call)
    {
        if (_reportStarts) Send(MessageKind.Started, BitConverter.GetBytes(call.CallId));
        _inCall = true;
        ResultItem result = CallInvocation.Execute(header, call, _resolveMethod, _resolveType, _blobs);
        _blobs.Clear();
        _inCall = false;
        SendResult(result);
    }

    /// <summary>
    /// Waits (in <c>poll</c>, asking for no event, so only a hang-up wakes it) for the parent to close
    /// the call pipe; if that happens while user code runs with nothing left to read, the parent is
    /// gone: <c>onParentLost</c>. Otherwise the main loop reads the end of file itself, or (frames still
    /// unread behind a long call) the parent-pid watch covers it.
    /// </summary>
    private void WatchHangup(int fd)
    {
        var poll = new Native.PollFd { Fd = fd, Events = 0 };
        while (Native.poll(ref poll, 1, -1) <= 0 || (poll.Revents & Native.POLLHUP) == 0)
        {
            if ((poll.Revents & ~Native.POLLHUP) != 0) return; // closed here or an error: the loop is over
        }
        if (_shutdownReceived) return;
        if (Native.ioctl(fd, Native.FIONREAD, out int unread) == 0 && unread == 0 && _inCall) _onParentLost!();
    }

    /// <summary>The reader thread (not on Linux): takes frames off the call pipe as they arrive.</summary>
    private void ReadFrames()
    {
        try
        {
            while (Frame.ReadFrom(_input) is { } frame)
            {
                if (frame.Kind == MessageKind.Shutdown) _shutdownReceived = true;
                _inbox.Add(frame);
                if (_shutdownReceived) break;
            }
        }
        catch (IOException)
        {
            // A broken pipe is the parent's end of file.
        }
        finally
        {
            _inbox.CompleteAdding();
        }
        if (!_shutdownReceived) _onParentLost?.Invoke();
    }

    /// <summary>Held while a frame is written: the exit report (<see cref="ReportExit"/>) comes from whichever thread exits the process.</summary>
    private readonly object _writeLock = new();

    /// <summary>Sends a call's outcome: its blobs, then the result that refers to them; in one write when they are small.</summary>
    private void SendResult(ResultItem result)
    {
        IReadOnlyList<object> blobs = result.Blobs ?? [];
        var frames = new Frame[blobs.Count + 1];
        for (int i = 0; i < blobs.Count; i++) frames[i] = Frame.ForBlob(blobs[i]);
        frames[^1] = new Frame(MessageKind.Result, result.Encode());
        lock (_writeLock)
        {
            if (!_outputGrown && _output is System.IO.Pipes.PipeStream pipe && frames.Any(f => (f.Text?.Length ?? f.Length) >= Native.LargeFrame))
            {
                _outputGrown = true;
                Native.GrowPipe(pipe.SafePipeHandle);
            }
            Frame.WriteAll(_output, frames);
        }
    }

    /// <summary>Whether the result pipe was grown for a large frame (see <see cref="Native.GrowPipe"/>). Under <see cref="_writeLock"/>.</summary>
    private bool _outputGrown;

    private void Send(MessageKind kind, byte[] payload)
    {
        lock (_writeLock) new Frame(kind, payload).WriteTo(_output);
    }

    /// <summary>
    /// Tells the parent the exit code this process is leaving with (from its ProcessExit handler), so that
    /// the parent reports an exit code above 128 as a signal only when no code was reported.
    /// </summary>
    /// <remarks>
    /// Waits a little for a frame being written to finish, never longer: an exit must not hang on the pipe.
    /// </remarks>
    public void ReportExit(int exitCode)
    {
        if (!Monitor.TryEnter(_writeLock, TimeSpan.FromSeconds(1))) return;
        try
        {
            new Frame(MessageKind.Exiting, BitConverter.GetBytes(exitCode)).WriteTo(_output);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The parent is gone or has closed the pipe: nobody to tell.
        }
        finally
        {
            Monitor.Exit(_writeLock);
        }
    }

    /// <summary>Runs the initializer and reports Ready or InitFailed.</summary>
    private bool Initialize(InitItem init)
    {
        _reportStarts = init.ReportStarts;
        if (init.Initializer is { } initializer)
        {
            _inCall = true;
            ResultItem outcome = CallInvocation.Execute(initializer, _resolveMethod, _resolveType);
            _inCall = false;
            if (outcome.Exception is not null)
            {
                Send(MessageKind.InitFailed, outcome.Encode());
                return false;
            }
        }
        Send(MessageKind.Ready, BitConverter.GetBytes(Environment.ProcessId));
        return true;
    }

    /// <summary>The hook by which other hosts (the Orleans worker node) run calls exactly as a worker process does, with their own resolver.</summary>
    internal static ResultItem Execute(CallItem call, Func<MethodRef, (MethodInfo Method, object? Target)> resolveMethod, Func<string, Type> resolveType) =>
        CallInvocation.Execute(call, resolveMethod, resolveType);
}
