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
/// A reader thread takes frames off the call pipe as soon as they arrive, so the parent's writes
/// never block on a busy worker, and end of file (the parent is gone) is seen even while user code
/// runs: then <c>onParentLost</c> is called (the real worker exits at once). Only the main loop
/// writes to the result pipe. Streams, not pipes, so that tests drive this in-process.
/// </remarks>
internal sealed class WorkerLoop
{
    /// <summary>Exit code after an initializer failure (the parent has been told why).</summary>
    public const int InitializerFailedExitCode = 3;

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly Action? _onParentLost;
    private readonly AssemblyResolver _resolver = new();

    /// <summary>Frames read ahead by the reader thread; completed at end of input.</summary>
    private readonly BlockingCollection<Frame> _inbox = new();

    /// <summary>Whether to announce each call before running it (from the <see cref="InitItem"/>).</summary>
    private bool _reportStarts;

    /// <summary>Set by the reader thread when it reads <see cref="MessageKind.Shutdown"/>, so that the end of file after it is expected.</summary>
    private volatile bool _shutdownReceived;

    public WorkerLoop(Stream input, Stream output, Action? onParentLost)
    {
        _input = input;
        _output = output;
        _onParentLost = onParentLost;
    }

    /// <summary>Serves calls until shutdown or end of input; returns the process exit code.</summary>
    public int Run()
    {
        var reader = new Thread(ReadFrames) { IsBackground = true, Name = "Futures worker reader" };
        reader.Start();
        foreach (Frame frame in _inbox.GetConsumingEnumerable())
        {
            switch (frame.Kind)
            {
                case MessageKind.Init:
                    if (!Initialize(InitItem.Decode(frame.Payload))) return InitializerFailedExitCode;
                    break;
                case MessageKind.Call:
                    CallItem call = CallItem.Decode(frame.Payload);
                    if (_reportStarts) Send(MessageKind.Started, BitConverter.GetBytes(call.CallId));
                    Send(MessageKind.Result, Execute(call).Encode());
                    break;
                case MessageKind.Shutdown:
                    return 0;
                default:
                    throw new InvalidDataException($"Unexpected message {frame.Kind} from the parent.");
            }
        }
        return 0;
    }

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

    private void Send(MessageKind kind, byte[] payload) => new Frame(kind, payload).WriteTo(_output);

    /// <summary>Runs the initializer and reports Ready or InitFailed.</summary>
    private bool Initialize(InitItem init)
    {
        _reportStarts = init.ReportStarts;
        if (init.Initializer is { } initializer)
        {
            try
            {
                var (method, target) = _resolver.ResolveMethod(initializer);
                method.Invoke(target, BindingFlags.DoNotWrapExceptions, null, [], null);
            }
            catch (Exception e)
            {
                Send(MessageKind.InitFailed, ExceptionInfo.From(e).Encode());
                return false;
            }
        }
        Send(MessageKind.Ready, BitConverter.GetBytes(Environment.ProcessId));
        return true;
    }

    /// <summary>
    /// Resolves, deserializes, invokes and serializes one call. Every failure on the way, in user
    /// code or in the serializer, becomes the call's exception; only a process exit or crash escapes.
    /// A traced call runs inside a <c>futures.task.invoke</c> activity parented on the parent's
    /// <c>futures.task</c>, so <see cref="Activity.Current"/> in user code carries the trace.
    /// </summary>
    private ResultItem Execute(CallItem call) => Execute(call, _resolver.ResolveMethod, _resolver.ResolveType);

    /// <summary><see cref="Execute(CallItem)"/> with the caller's resolver: the hook by which other hosts (the Orleans worker node) run calls exactly as a worker process does.</summary>
    internal static ResultItem Execute(CallItem call, Func<MethodRef, (MethodInfo Method, object? Target)> resolveMethod, Func<string, Type> resolveType)
    {
        Activity? activity = FuturesTracing.StartInvoke(call.TraceParent, call.TraceState, call.Method.DisplayName);
        try
        {
            var (method, target) = resolveMethod(call.Method);
            Type[] argTypes = call.ArgumentTypes.Select(resolveType).ToArray();
            Type? resultType = call.ResultType.Length == 0 ? null : resolveType(call.ResultType);
            using JsonDocument args = JsonDocument.Parse(call.ArgumentsJson);
            byte[] json = call.IsChunk
                ? InvokeChunk(method, target, args.RootElement, argTypes, resultType)
                : Serialize(Invoke(method, target, args.RootElement, argTypes), resultType);
            return new ResultItem(call.CallId, null, json);
        }
        catch (Exception e)
        {
            FuturesTracing.RecordException(activity, e);
            return new ResultItem(call.CallId, ExceptionInfo.From(e), []);
        }
        finally
        {
            activity?.Stop();
        }
    }

    private static object? Invoke(MethodInfo method, object? target, JsonElement args, Type[] argTypes)
    {
        if (args.GetArrayLength() != argTypes.Length)
        {
            throw new InvalidDataException($"{argTypes.Length} argument(s) declared, {args.GetArrayLength()} sent.");
        }
        var values = new object?[argTypes.Length];
        for (int i = 0; i < values.Length; i++) values[i] = args[i].Deserialize(argTypes[i], Wire.JsonOptions);
        return method.Invoke(target, BindingFlags.DoNotWrapExceptions, null, values, null);
    }

    private static byte[] Serialize(object? value, Type? type) =>
        type is null ? [] : JsonSerializer.SerializeToUtf8Bytes(value, type, Wire.JsonOptions);

    /// <summary>Python's <c>_process_chunk</c>: calls the method on each element and returns the results as one JSON array.</summary>
    private static byte[] InvokeChunk(MethodInfo method, object? target, JsonElement chunk, Type[] argTypes, Type? resultType)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (JsonElement element in chunk.EnumerateArray())
            {
                object? result = Invoke(method, target, element, argTypes);
                if (resultType is null) writer.WriteNullValue();
                else JsonSerializer.Serialize(writer, result, resultType, Wire.JsonOptions);
            }
            writer.WriteEndArray();
        }
        return buffer.ToArray();
    }
}
