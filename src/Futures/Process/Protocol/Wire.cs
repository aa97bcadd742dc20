
namespace Futures.ProcessPool.Protocol;

/// <summary>Small binary helpers of the wire format (the values themselves are the codec's JSON, <see cref="Codec.ValueCodec"/>).</summary>
internal static class Wire
{
    /// <summary>Writes a length-prefixed array of strings.</summary>
    public static void WriteStrings(BinaryWriter w, string[] values)
    {
        w.Write(values.Length);
        foreach (string v in values) w.Write(v);
    }

    /// <summary>Reads what <see cref="WriteStrings"/> wrote.</summary>
    public static string[] ReadStrings(BinaryReader r)
    {
        int n = r.ReadInt32();
        var values = new string[n];
        for (int i = 0; i < n; i++) values[i] = r.ReadString();
        return values;
    }

    /// <summary>Writes a length-prefixed byte array.</summary>
    public static void WriteBytes(BinaryWriter w, byte[] bytes)
    {
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    /// <summary>Reads what <see cref="WriteBytes"/> wrote.</summary>
    public static byte[] ReadBytes(BinaryReader r) => r.ReadBytes(r.ReadInt32());

    /// <summary>Encodes with a <see cref="BinaryWriter"/> into a new array.</summary>
    public static byte[] Encode<T>(T state, Action<BinaryWriter, T> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) write(w, state);
        return buffer.ToArray();
    }

    /// <summary>Decodes <paramref name="payload"/> with a <see cref="BinaryReader"/>.</summary>
    public static T Decode<T>(byte[] payload, Func<BinaryReader, T> read)
    {
        using var r = new BinaryReader(new MemoryStream(payload, writable: false), System.Text.Encoding.UTF8);
        return read(r);
    }
}
