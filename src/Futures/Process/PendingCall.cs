using System.Diagnostics;
using System.Text.Json;
using Futures.Diagnostics;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>A submitted call on its way through the pool: the work item, its method named for a worker, and its arguments already serialized.</summary>
/// <remarks>
/// Made on the submitting thread, so that serialization costs are paid there and a value that
/// cannot be serialized fails its own future before it is queued. Completed by the worker's reader
/// thread (a result) or the manager thread (a failure), which also reports each outcome to the metrics and ends the call's activity just before the future
/// completes (so that whoever waits on it sees them).
/// </remarks>
internal sealed class PendingCall
{
    private PendingCall(WorkItem item, CallShape shape, MethodRef method, byte[] argumentsJson, CallTrace? trace)
    {
        Item = item;
        Shape = shape;
        Method = method;
        ArgumentsJson = argumentsJson;
        Trace = trace;
    }

    /// <summary>The work item; its future is the one to complete.</summary>
    public WorkItem Item { get; }

    /// <summary>The future this call completes.</summary>
    public Future Future => Item.Future;

    /// <summary>The declared types.</summary>
    public CallShape Shape { get; }

    /// <summary>What the worker calls.</summary>
    public MethodRef Method { get; }

    /// <summary>The arguments, as JSON.</summary>
    public byte[] ArgumentsJson { get; }

    /// <summary>The submitter's trace context and the call's activity; null unless the Futures ActivitySource had listeners at Submit.</summary>
    public CallTrace? Trace { get; }

    /// <summary>The id given when the call is sent; 0 before.</summary>
    public long CallId { get; set; }

    /// <summary>
    /// When the call began on its worker (Stopwatch ticks): when it became the oldest call its worker
    /// holds, refined by the worker's Started message where workers report starts; 0 before, or when
    /// neither time histogram listens. Written under the manager's lock.
    /// </summary>
    public long StartedTimestamp { get; private set; }

    /// <summary>Checks and serializes <paramref name="item"/>, on the submitting thread.</summary>
    /// <returns>The call, or null if its arguments could not be serialized (its future has failed with the serializer's exception).</returns>
    /// <exception cref="ArgumentException">The delegate captures state or cannot be named for a worker.</exception>
    /// <param name="item">The call.</param>
    /// <param name="executor">The process pool whose metrics count a call that fails here, and whose trace the call joins; null for an executor that reports its own outcomes and carries its own trace context (Orleans): nothing is counted or captured.</param>
    /// <param name="blobs">Whether <c>byte[]</c> values cross as blob frames (a worker pipe) rather than base64 JSON (a self-contained item).</param>
    public static PendingCall? Create(WorkItem item, IObservableExecutor? executor = null, bool blobs = false)
    {
        MethodRef method = DelegateDescriptor.Describe(item.Function, "fn");
        CallShape shape = CallShape.Of(item);
        byte[] json;
        List<byte[]>? blobList = blobs ? new() : null;
        try
        {
            json = shape.SerializeArguments(item, blobList);
        }
        catch (Exception e)
        {
            if (executor is not null) FuturesMetrics.RecordCompleted(executor, TaskOutcome.Exception);
            item.Future.SetException(e);
            return null;
        }
        return new PendingCall(item, shape, method, json, executor is null ? null : CallTrace.Capture())
        {
            UsesBlobs = blobs,
            Blobs = blobList is { Count: > 0 } ? blobList : null,
        };
    }

    /// <summary>Whether <c>byte[]</c> values cross as blob frames (see <see cref="CallItem.Blobs"/>).</summary>
    public bool UsesBlobs { get; private init; }

    /// <summary>The <c>byte[]</c> arguments, sent as blob frames before the call, e.g. <c>[10 MB]</c>; null for none.</summary>
    public List<byte[]>? Blobs { get; private init; }

    /// <summary>Takes the call out of the queue for a worker: Pending → Running, or false (counted as cancelled) if it was cancelled.</summary>
    public bool TryStart(IObservableExecutor executor)
    {
        // From here the call counts as running: Cancel() returns false.
        if (Future.SetRunningOrNotifyCancel()) return true;
        FuturesMetrics.RecordCompleted(executor, TaskOutcome.Cancelled);
        return false;
    }

    /// <summary>Cancels a call that never left the queue (Shutdown with cancelFutures).</summary>
    public void Cancel(IObservableExecutor executor)
    {
        if (Future.Cancel()) FuturesMetrics.RecordCompleted(executor, TaskOutcome.Cancelled);
    }

    /// <summary>The call is being handed to a worker: its activity starts (once, even if it is sent again after its worker died).</summary>
    public void OnHandedOut(IObservableExecutor executor) => Trace?.Start(executor, Item.Function);

    /// <summary>Notes that the call has begun on its worker, for the queue and run time histograms.</summary>
    public void MarkStarted(long timestamp)
    {
        if (FuturesMetrics.QueueTime.Enabled || FuturesMetrics.RunTime.Enabled) StartedTimestamp = timestamp;
    }

    /// <summary>The call as a frame payload, under id <see cref="CallId"/>, with the trace context the worker parents its activity on.</summary>
    public byte[] Encode() =>
        new CallItem(CallId, Method, Shape.ArgumentTypeNames, Shape.ResultTypeName, Shape.IsChunk, ArgumentsJson,
            Trace?.TraceParent ?? "", Trace?.TraceState ?? "", UsesBlobs).Encode();

    /// <summary>Completes the future from the worker's answer: the value read as the declared type, or the rebuilt exception.</summary>
    /// <remarks>
    /// A result that cannot be deserialized fails this future with the serializer's exception; nothing
    /// else is affected. With <paramref name="executor"/> null, no metric is recorded (the caller reports outcomes itself).
    /// </remarks>
    public void Complete(ResultItem result, IObservableExecutor? executor = null)
    {
        if (result.Exception is { } info)
        {
            Exception rebuilt = RemoteExceptions.Rebuild(info);
            Finish(executor, TaskOutcome.Exception, rebuilt);
            Future.SetException(rebuilt);
            return;
        }
        object? value;
        try
        {
            value = result.Form switch
            {
                ResultForm.Blob when Shape.ResultType == typeof(byte[]) => result.Blob,
                ResultForm.NullBlob when Shape.ResultType == typeof(byte[]) => null,
                ResultForm.Json => Shape.ResultType is null ? null : JsonSerializer.Deserialize(result.ResultJson, Shape.ResultType, Wire.JsonOptions),
                _ => throw new InvalidDataException($"A {result.Form} result for a call declared to return {Shape.ResultType}."),
            };
        }
        catch (Exception e)
        {
            Finish(executor, TaskOutcome.Exception, e);
            Future.SetException(e);
            return;
        }
        Finish(executor, TaskOutcome.Result, null);
        Shape.SetResult(Future, value);
    }

    /// <summary>Fails a running call (its worker died, or the pool broke) with <paramref name="error"/>, counted as <paramref name="outcome"/>.</summary>
    public void Fail(IObservableExecutor executor, string outcome, Exception error)
    {
        Debug.Assert(Future.State is FutureState.Running or FutureState.Finished, "Only a call handed to a worker is failed this way.");
        if (Future.Done()) return; // completed already: a result that raced with the break
        Finish(executor, outcome, error);
        Future.SetException(error);
    }

    /// <summary>Reports the outcome (times, count, activity) just before the future completes.</summary>
    private void Finish(IObservableExecutor? executor, string outcome, Exception? error)
    {
        if (executor is not null)
        {
            if (StartedTimestamp != 0)
            {
                long now = Stopwatch.GetTimestamp();
                if (Item.CreatedTimestamp != 0) FuturesMetrics.RecordQueueTime(executor, Item.CreatedTimestamp, StartedTimestamp);
                FuturesMetrics.RecordRunTime(executor, StartedTimestamp, now);
            }
            FuturesMetrics.RecordCompleted(executor, outcome);
        }
        Trace?.Stop(error);
    }
}
