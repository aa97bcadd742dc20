using System.Diagnostics;
using Futures.Codec;
using Futures.Diagnostics;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>A submitted call on its way through the pool: the work item, its method named for a worker, and its values already encoded.</summary>
/// <remarks>
/// Made on the submitting thread, so that encoding costs are paid there, a value that cannot cross
/// is refused at Submit, and one whose encoding throws fails its own future before it is queued.
/// Completed by the worker's reader thread (a result, or a result that cannot be decoded) or the
/// manager thread (a break, a timeout, a lost worker), which also reports each outcome to the
/// metrics and ends the call's activity just before the future completes (so that whoever waits on
/// it sees them).
/// </remarks>
internal sealed class PendingCall
{
    private PendingCall(WorkItem item, CallShape shape, DescribedMethod method, byte[] payload, BlobList? blobs, CallTrace? trace, SentHeader? header)
    {
        Header = header;
        Item = item;
        Shape = shape;
        Method = method.Method;
        TargetType = method.TargetType;
        Payload = payload;
        Blobs = blobs;
        Count = shape.CountOf(item);
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

    /// <summary>The declared type by which a copy of the delegate's target crosses with the call; null when none does.</summary>
    public Type? TargetType { get; }

    /// <summary>The target (if it crosses) and the arguments, as the codec's JSON (<see cref="CallItem.Payload"/>).</summary>
    public byte[] Payload { get; }

    /// <summary>The large values sent as blob frames before the call, e.g. <c>[byte[10 MB]]</c>; null where blobs are not used or there are none.</summary>
    public BlobList? Blobs { get; }

    /// <summary>How many calls: 1, or the items of a Map chunk.</summary>
    public int Count { get; }

    /// <summary>The submitter's trace context and the call's activity; null unless the Futures ActivitySource had listeners at Submit.</summary>
    public CallTrace? Trace { get; }

    /// <summary>The header a worker pipe sends once per worker, then names by id; null for a call that travels whole (the cluster's, or one of a collectible assembly).</summary>
    public SentHeader? Header { get; }

    /// <summary>The id given when the call is sent; 0 before.</summary>
    public long CallId { get; set; }

    /// <summary>
    /// When the call began on its worker (Stopwatch ticks): when it became the oldest call its worker
    /// holds, refined by the worker's Started message where workers report starts; 0 before, or when
    /// neither time histogram listens. Written under the dispatcher's lock.
    /// </summary>
    public long StartedTimestamp { get; private set; }

    /// <summary>Checks and encodes <paramref name="item"/>, on the submitting thread.</summary>
    /// <returns>The call, or null if encoding its values threw (user code in a converter): its future has failed with that exception.</returns>
    /// <exception cref="ArgumentException">The delegate captures variables or cannot be named for a worker, or a value cannot cross (the message names its type and place).</exception>
    /// <param name="item">The call.</param>
    /// <param name="executor">
    /// The process pool whose metrics count a call that fails here, and whose trace the call joins;
    /// null for an executor that reports its own outcomes and carries its own trace context (Orleans):
    /// nothing is counted or captured.
    /// </param>
    /// <param name="blobs">Whether large values cross as blob frames (a worker pipe) rather than inside the JSON (a self-contained item).</param>
    public static PendingCall? Create(WorkItem item, IObservableExecutor? executor = null, bool blobs = false)
    {
        DescribedMethod method = DelegateDescriptor.Describe(item.Function, "fn");
        CallShape shape = CallShape.Of(item);
        BlobList? blobList = blobs ? new BlobList(snapshots: true) : null;
        byte[] payload;
        try
        {
            payload = shape.EncodeValues(item, item.Function.Target, method.TargetType, blobList);
        }
        catch (Exception e)
        {
            blobList?.Release(); // nothing of this call will be sent
            if (e is ArgumentException) throw;
            if (executor is not null) FuturesMetrics.RecordCompleted(executor, TaskOutcome.Exception);
            item.Future.SetException(e);
            return null;
        }
        return new PendingCall(item, shape, method, payload, blobList is { Count: > 0 } ? blobList : null, executor is null ? null : CallTrace.Capture(),
            blobs ? CallHeaders.For(method, shape) : null)
        {
            UsesBlobs = blobs,
        };
    }

    /// <summary>The pool's initializer as the call a worker makes first (no arguments, no result; a copy of its target if it is an instance method).</summary>
    /// <exception cref="ArgumentException">It captures variables, or its target cannot cross.</exception>
    public static CallItem DescribeInitializer(Action initializer)
    {
        DescribedMethod method = DelegateDescriptor.Describe(initializer, nameof(initializer));
        Type[] types = method.TargetType is { } targetType ? [targetType] : [];
        object?[] values = method.TargetType is null ? [] : [initializer.Target];
        byte[] payload = ValueCodec.Encode(values, types, blobs: null, ["the initializer's target"]);
        return new CallItem(0, method.Method, [], "", IsChunk: false, payload,
            TargetType: method.TargetType is null ? "" : MethodRef.TypeName(method.TargetType));
    }

    /// <summary>Whether large values cross as blob frames (see <see cref="CallItem.Blobs"/>).</summary>
    public bool UsesBlobs { get; private init; }

    /// <summary>
    /// Takes the call out of the queue for a worker: Pending → Running; or false if it was cancelled
    /// (counted as cancelled), or completed by its caller while it waited. Never throws: it runs under
    /// the dispatcher's lock, between taking a call out of a queue and handing it on.
    /// </summary>
    public bool TryStart(IObservableExecutor executor)
    {
        // From here the call counts as running: Cancel() returns false.
        if (Future.TryStartQueued(reportLater: true)) return true;
        Blobs?.Release();
        if (Future.Cancelled()) FuturesMetrics.RecordCompleted(executor, TaskOutcome.Cancelled);
        return false;
    }

    /// <summary>Cancels a call that never left the queue (Shutdown with cancelFutures).</summary>
    public void Cancel(IObservableExecutor executor)
    {
        Blobs?.Release();
        if (Future.Cancel()) FuturesMetrics.RecordCompleted(executor, TaskOutcome.Cancelled);
    }

    /// <summary>The call is being handed to a worker: its activity starts (once, even if it is sent again after its worker died).</summary>
    public void OnHandedOut(IObservableExecutor executor) => Trace?.Start(executor, Item.Function);

    /// <summary>Notes that the call has begun on its worker, for the queue and run time histograms.</summary>
    public void MarkStarted(long timestamp)
    {
        if (FuturesMetrics.QueueTime.Enabled || FuturesMetrics.RunTime.Enabled) StartedTimestamp = timestamp;
    }

    /// <summary>
    /// The call as a worker pipe sends it, under id <see cref="CallId"/>: a <see cref="MessageKind.CallById"/>
    /// payload naming <see cref="Header"/>, or where there is none, the whole item (<see cref="MessageKind.Call"/>).
    /// </summary>
    public (MessageKind Kind, byte[] Payload) EncodeForPipe() =>
        Header is { } header
            ? (MessageKind.CallById, new CallBody(CallId, Count, UsesBlobs, Trace?.TraceParent ?? "", Trace?.TraceState ?? "", Payload).EncodeWithHeaderId(header.Id))
            : (MessageKind.Call, Encode());

    /// <summary>The call as a self-contained item, under id <see cref="CallId"/>, with the trace context the worker parents its activity on.</summary>
    public byte[] Encode() =>
        new CallItem(CallId, Method, Shape.ArgumentTypeNames, Shape.ResultTypeName, Shape.IsChunk, Payload,
            Trace?.TraceParent ?? "", Trace?.TraceState ?? "", UsesBlobs,
            TargetType is null ? "" : MethodRef.TypeName(TargetType), Count, Shape.IsAsync).Encode();

    /// <summary>Completes the future from the worker's answer: the value decoded as the declared type, or the rebuilt exception.</summary>
    /// <remarks>
    /// A result that cannot be decoded here fails this future with the codec's exception; nothing
    /// else is affected. With <paramref name="executor"/> null, no metric is recorded (the caller reports outcomes itself).
    /// </remarks>
    /// <param name="result">The worker's answer.</param>
    /// <param name="executor">The process pool whose metrics count the outcome; null for none.</param>
    /// <param name="types">How types named in the answer are loaded here; null for the default load context.</param>
    public void Complete(ResultItem result, IObservableExecutor? executor = null, CodecTypeResolver? types = null)
    {
        if (result.Exception is not null)
        {
            Exception rebuilt = RemoteExceptions.Rebuild(result, types);
            Settle(executor, TaskOutcome.Exception, rebuilt, null);
            return;
        }
        object? value;
        try
        {
            value = Shape.DecodeResult(result, Count, types);
        }
        catch (Exception e)
        {
            Settle(executor, TaskOutcome.Exception, e, null);
            return;
        }
        Settle(executor, TaskOutcome.Result, null, value);
    }

    /// <summary>Fails a running call (its worker died or overran taskTimeout, or the pool broke) with <paramref name="error"/>, counted as <paramref name="outcome"/>.</summary>
    public void Fail(IObservableExecutor executor, string outcome, Exception error)
    {
        Debug.Assert(Future.State is FutureState.Running or FutureState.Finished, "Only a call handed to a worker is failed this way.");
        Settle(executor, outcome, error, null);
    }

    /// <summary>Reports the outcome, then completes the future with <paramref name="error"/>, or else with <paramref name="value"/>.</summary>
    /// <remarks>
    /// The pool completes each call once (the thread that takes it out of the dispatcher's state).
    /// The one other completer is user code: SetResult and SetException are public, and a caller may
    /// complete a submitted future itself; the pool's completion then throws, which is reported like
    /// a done-callback failure, and the pool goes on (contract v2, as the thread pool does).
    /// </remarks>
    private void Settle(IObservableExecutor? executor, string outcome, Exception? error, object? value)
    {
        // Done: no frame of this call will be written again (an answered call's blobs were all read
        // before it ran; a failed call's worker is dead or killed), so its pooled buffers go back.
        Blobs?.Release();
        Finish(executor, outcome, error);
        try
        {
            if (error is not null) Future.SetException(error);
            else Item.SetResultFrom(value);
        }
        catch (InvalidStateException e)
        {
            Future.ReportWorkItemFailed(e);
        }
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
