
using System.Text;

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

    /// <summary>The bytes <see cref="Write(Span{byte}, string)"/> takes for <paramref name="value"/>.</summary>
    public static int SizeOf(string value)
    {
        int bytes = Encoding.UTF8.GetByteCount(value);
        return SizeOf7Bit(bytes) + bytes;
    }

    /// <summary>Writes <paramref name="value"/> as <see cref="BinaryWriter"/> does (7-bit length, UTF-8) into <paramref name="span"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> span, string value)
    {
        int bytes = Encoding.UTF8.GetByteCount(value);
        int at = 0;
        for (uint n = (uint)bytes; ; n >>= 7)
        {
            if (n < 0x80)
            {
                span[at++] = (byte)n;
                break;
            }
            span[at++] = (byte)(n | 0x80);
        }
        return at + Encoding.UTF8.GetBytes(value, span[at..]);
    }

    /// <summary>Reads what <see cref="Write(Span{byte}, string)"/> wrote at <paramref name="at"/>, moving it past the string.</summary>
    /// <exception cref="InvalidDataException">The length runs past the end.</exception>
    public static string Read(ReadOnlySpan<byte> span, ref int at)
    {
        int length = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (at >= span.Length || shift > 28) throw new InvalidDataException("A string length runs past the end of its frame.");
            byte b = span[at++];
            length |= (b & 0x7F) << shift;
            if (b < 0x80) break;
        }
        if (length < 0 || length > span.Length - at) throw new InvalidDataException("A string runs past the end of its frame.");
        string value = length == 0 ? "" : Encoding.UTF8.GetString(span.Slice(at, length));
        at += length;
        return value;
    }

    private static int SizeOf7Bit(int n)
    {
        int size = 1;
        for (uint v = (uint)n; v >= 0x80; v >>= 7) size++;
        return size;
    }

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
