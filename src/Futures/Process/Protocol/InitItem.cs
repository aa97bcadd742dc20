namespace Futures.ProcessPool.Protocol;

/// <summary>What a worker does before its first call: run the pool's initializer, if any.</summary>
/// <param name="Initializer">The initializer; null for none.</param>
internal sealed record InitItem(MethodRef? Initializer)
{
    /// <summary>The item as a frame payload.</summary>
    public byte[] Encode() => Wire.Encode(this, static (w, item) =>
    {
        w.Write(item.Initializer is not null);
        item.Initializer?.Write(w);
    });

    /// <summary>Reads what <see cref="Encode"/> wrote.</summary>
    public static InitItem Decode(byte[] payload) => Wire.Decode(payload, static r => new InitItem(r.ReadBoolean() ? MethodRef.Read(r) : null));
}
