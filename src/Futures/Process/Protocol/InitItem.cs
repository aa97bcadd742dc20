namespace Futures.ProcessPool.Protocol;

/// <summary>What a worker does before its first call: run the pool's initializer, if any.</summary>
/// <param name="Initializer">The initializer; null for none.</param>
/// <param name="ReportStarts">
/// Whether to send <see cref="MessageKind.Started"/> before each call: the parent needs to know which
/// call a worker was running when it died (ReplaceWorker) and when it started (taskTimeout).
/// </param>
internal sealed record InitItem(MethodRef? Initializer, bool ReportStarts = false)
{
    /// <summary>The item as a frame payload.</summary>
    public byte[] Encode() => Wire.Encode(this, static (w, item) =>
    {
        w.Write(item.ReportStarts);
        w.Write(item.Initializer is not null);
        item.Initializer?.Write(w);
    });

    /// <summary>Reads what <see cref="Encode"/> wrote.</summary>
    public static InitItem Decode(byte[] payload) => Wire.Decode(payload, static r =>
    {
        bool reportStarts = r.ReadBoolean();
        return new InitItem(r.ReadBoolean() ? MethodRef.Read(r) : null, reportStarts);
    });
}
