using Futures.Codec;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool.WorkerHost;

/// <summary>
/// Warms a new worker's cold paths on a second thread while the main thread starts up, so that the
/// first call does not pay for them alone (pool creation to first result).
/// </summary>
/// <remarks>
/// Measured on a fresh worker (2 cores): its first call spent ~37 ms in System.Text.Json's first use
/// (building the converters and contracts behind <see cref="ValueCodec.Options"/>) and
/// ~22 ms resolving the method's assembly and types, one after the other on the main thread. The
/// main thread meanwhile waits on the pipe, loads the app's assembly and resolves the call; this
/// thread builds the JSON side at the same time on the other core. Only work that every call does
/// anyway is done here, and nothing that the call could observe: the options become read-only on
/// first use either way. A/B on the same machine (load 12-14, 8 pools each, three rounds): new pool →
/// first result median 122-134 ms with it, 151-157 ms without.
/// </remarks>
internal static class Warmup
{
    /// <summary>Starts the warm-up thread (background: it never delays an exit).</summary>
    /// <remarks>
    /// Not where the codec has no reflection (a trimmed or Native AOT app): there its contracts are the
    /// app's generated ones, registered only once the app's module initializer has run, and
    /// System.Text.Json remembers a type it was once asked for in vain — a warm-up before then would
    /// make those types fail for good. Generated contracts are cheap to build anyway.
    /// </remarks>
    public static void Start()
    {
        if (!ValueCodec.IsReflectionEnabled) return;
        new Thread(Run) { IsBackground = true, Name = "Futures worker warm-up", Priority = ThreadPriority.BelowNormal }.Start();
    }

    private static void Run()
    {
        try
        {
            Type[] types = [typeof(int), typeof(string), typeof(double), typeof(object)];
            byte[] json = ValueCodec.Encode([1, "s", 2.5, 3L], types, new BlobList(), ["a", "b", "c", "d"]);
            ValueCodec.Decode(json, types, new BlobList());
        }
        catch (Exception)
        {
            // Only a warm-up: the call itself reports any real failure.
        }
    }
}
