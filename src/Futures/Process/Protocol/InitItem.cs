namespace Futures.ProcessPool.Protocol;

/// <summary>What a worker does before its first call: run the pool's initializer, if any.</summary>
/// <param name="Initializer">The initializer, as a call with no arguments and no result (with a copy of its target, if it is an instance method); null for none.</param>
/// <param name="ReportStarts">
/// Whether to send <see cref="MessageKind.Started"/> before each call: the parent needs to know which
/// call a worker was running when it died (ReplaceWorker) and when it started (taskTimeout).
/// </param>
internal sealed record InitItem(CallItem? Initializer, bool ReportStarts = false)
{
    /// <summary>The item as a frame payload.</summary>
    public byte[] Encode() => Wire.Encode(this, static (w, item) =>
    {
        w.Write(item.ReportStarts);
        w.Write(item.Initializer is not null);
        if (item.Initializer is not null) Wire.WriteBytes(w, item.Initializer.Encode());
    });

    /// <summary>Reads what <see cref="Encode"/> wrote.</summary>
    public static InitItem Decode(byte[] payload) => Wire.Decode(payload, static r =>
    {
        bool reportStarts = r.ReadBoolean();
        return new InitItem(r.ReadBoolean() ? CallItem.Decode(Wire.ReadBytes(r)) : null, reportStarts);
    });
}
