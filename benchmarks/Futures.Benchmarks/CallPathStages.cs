using System.Diagnostics;
using Futures.Codec;
using Futures.ProcessPool;
using Futures.ProcessPool.Protocol;
using Futures.ProcessPool.WorkerHost;

namespace Futures.Benchmarks;

/// <summary>
/// The managed cost of each stage of one tiny call (<c>Work.Identity(int)</c>), in this process,
/// without pipes: what the parent and a worker compute per call besides waiting and waking. Time and
/// bytes allocated per call. Built against an older checkout (<c>--before</c>, FUTURES_BEFORE), the
/// pipe's stages are the whole <c>CallItem</c> each call; here, a header id and a <c>CallBody</c>.
/// </summary>
/// <remarks>dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --process-quick stages</remarks>
internal static class CallPathStages
{
    /// <summary>Keeps the work items Submit makes, instead of running them.</summary>
    private sealed class CapturingExecutor : Executor
    {
        public WorkItem Last = null!;

        protected override void Schedule(WorkItem item) => Last = item;
    }

    public static void Run(int n)
    {
        var executor = new CapturingExecutor();
        WorkItem NewItem()
        {
            executor.Submit(Work.Identity, 7);
            return executor.Last;
        }
        var resolver = new AssemblyResolver();
        PendingCall call = PendingCall.Create(NewItem(), null, blobs: true)!;
        call.CallId = 1;
#if FUTURES_BEFORE
        byte[] callBytes = call.Encode();
        CallItem decoded = CallItem.Decode(callBytes);
        Func<byte[]> encodeForPipe = call.Encode;
        Action decodeOnWorker = () => CallItem.Decode(callBytes);
        Func<ResultItem> execute = () => WorkerLoop.Execute(decoded, resolver.ResolveMethod, resolver.ResolveType);
#else
        byte[] callBytes = call.EncodeForPipe().Payload;
        CallItem decoded = CallItem.Decode(call.Encode());
        var header = new ResolvedHeader(decoded.Header);
        Func<byte[]> encodeForPipe = () => call.EncodeForPipe().Payload;
        Action decodeOnWorker = () => CallBody.DecodeWithHeaderId(callBytes);
        Func<ResultItem> execute = () => CallInvocation.Execute(header, CallBody.DecodeWithHeaderId(callBytes).Body, resolver.ResolveMethod, resolver.ResolveType);
#endif
        ResultItem result = execute();
        byte[] resultBytes = result.Encode();

        Measure("Submit's WorkItem (Executor.Submit, captured)", n, () => NewItem());
        Measure("PendingCall.Create (checks + encodes the args)", n, () => PendingCall.Create(NewItem(), null, blobs: true));
        Measure("  of which ValueCodec.Encode(one int)", n, () => ValueCodec.Encode([7], [typeof(int)], new BlobList(), ["arg1"]));
        Measure($"pipe envelope encode ({callBytes.Length} B)", n, () => encodeForPipe());
        Measure("worker: envelope decode", n, decodeOnWorker);
        Measure("worker: execute (resolve, decode, invoke, encode)", n, () => execute());
        Measure("  of which ValueCodec.Decode(one int)", n, () => ValueCodec.Decode(decoded.Payload, [typeof(int)], new BlobList()));
        Measure("worker: ResultItem.Encode", n, () => result.Encode());
        Measure("parent: ResultItem.Decode", n, () => ResultItem.Decode(resultBytes));
        Measure("parent: Create + Complete (decode result, SetResult)", n, () =>
        {
            PendingCall c = PendingCall.Create(NewItem(), null, blobs: true)!;
            c.Future.SetRunningOrNotifyCancel();
            c.Complete(result);
        });
    }

    private static void Measure(string name, int n, Action action)
    {
        // Warm up for half a second: past tiered compilation's promotion of every method on the path.
        for (long t0 = Stopwatch.GetTimestamp(); Stopwatch.GetElapsedTime(t0).TotalMilliseconds < 500;) action();
        // The best of 9 rounds: on a shared machine the best is the least disturbed.
        int perRound = Math.Max(1, n / 9);
        double best = double.MaxValue;
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 9; round++)
        {
            long t = Stopwatch.GetTimestamp();
            for (int i = 0; i < perRound; i++) action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t).TotalNanoseconds / perRound);
        }
        double allocated = (GC.GetAllocatedBytesForCurrentThread() - bytes) / (9.0 * perRound);
        Console.WriteLine($"{name,-55} {best,8:F0} ns  {allocated,7:F0} B");
    }
}
