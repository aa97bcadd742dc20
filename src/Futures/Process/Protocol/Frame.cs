using System.Buffers.Binary;

namespace Futures.ProcessPool.Protocol;

/// <summary>One message on a worker pipe: <c>[int32 length][byte kind][payload]</c>, length counting kind and payload.</summary>
/// <param name="Kind">What the payload is.</param>
/// <param name="Payload">The encoded item; empty for <see cref="MessageKind.Shutdown"/>, and for a text blob, which carries <see cref="Text"/>.</param>
internal readonly record struct Frame(MessageKind Kind, byte[] Payload)
{
    /// <summary>How many bytes of <see cref="Payload"/> are the payload: all of them, except in a blob frame sent from a pooled snapshot (<see cref="Codec.PooledBytes"/>).</summary>
    public int Length { get; init; } = Payload.Length;

    /// <summary>The payload's bytes.</summary>
    public ReadOnlySpan<byte> Bytes => Payload.AsSpan(0, Length);

    /// <summary>A <see cref="MessageKind.TextBlob"/> frame's string: encoded only as it is written, decoded as it is read (<see cref="TextBlob"/>).</summary>
    public string? Text { get; init; }

    /// <summary>Whether writing this frame may take a while (a large payload, or text to encode): the writer thread's job, not the caller's.</summary>
    public bool IsLarge => Text is not null || Length > CopyLimit;

    /// <summary>Bytes before the payload: the length and the kind.</summary>
    public const int HeaderSize = 5;

    /// <summary>A frame larger than this is a protocol error (a corrupt stream), not a big message.</summary>
    public const int MaxLength = int.MaxValue - 64;

    /// <summary>The frame as one buffer, ready for a single write (so a frame is never interleaved).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[HeaderSize + Length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, Length + 1);
        bytes[4] = (byte)Kind;
        Bytes.CopyTo(bytes.AsSpan(HeaderSize));
        return bytes;
    }

    /// <summary>Payloads up to this size are copied behind the header for one write; larger ones are written after it, uncopied.</summary>
    public const int CopyLimit = 16 * 1024;

    /// <summary>The length-and-kind header alone.</summary>
    public byte[] Header()
    {
        var bytes = new byte[HeaderSize];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, Length + 1);
        bytes[4] = (byte)Kind;
        return bytes;
    }

    /// <summary>Writes the frame (a small one in one write, a large one without copying its payload) and flushes.</summary>
    public void WriteTo(Stream stream)
    {
        if (Text is not null)
        {
            TextBlob.Write(stream, Text);
            return;
        }
        if (Length <= CopyLimit)
        {
            stream.Write(ToBytes());
        }
        else
        {
            stream.Write(Header());
            stream.Write(Bytes);
        }
        stream.Flush();
    }

    /// <summary>Frames written together up to this many bytes are copied into one buffer and written with one <c>write</c>.</summary>
    public const int BatchLimit = 64 * 1024;

    /// <summary>Whether <paramref name="frames"/> (none of them text) fit in one batch of at most <paramref name="limit"/> bytes.</summary>
    public static bool FitInOneWrite(ReadOnlySpan<Frame> frames, long limit)
    {
        long total = 0;
        foreach (Frame frame in frames)
        {
            if (frame.Text is not null) return false; // encoded as it is written
            total += HeaderSize + frame.Length;
        }
        return total <= limit;
    }

    /// <summary><paramref name="frames"/> (see <see cref="FitInOneWrite"/>) as one buffer, for one write: frames written together are read together.</summary>
    public static byte[] Concat(ReadOnlySpan<Frame> frames)
    {
        int total = 0;
        foreach (Frame frame in frames) total += HeaderSize + frame.Length;
        var bytes = new byte[total];
        int at = 0;
        foreach (Frame frame in frames)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), frame.Length + 1);
            bytes[at + 4] = (byte)frame.Kind;
            frame.Bytes.CopyTo(bytes.AsSpan(at + HeaderSize));
            at += HeaderSize + frame.Length;
        }
        return bytes;
    }

    /// <summary>Writes <paramref name="frames"/> in order: in one write when they fit in a batch, else one by one (large payloads uncopied).</summary>
    public static void WriteAll(Stream stream, ReadOnlySpan<Frame> frames)
    {
        if (frames.Length > 1 && FitInOneWrite(frames, BatchLimit))
        {
            stream.Write(Concat(frames));
            stream.Flush();
            return;
        }
        foreach (Frame frame in frames) frame.WriteTo(stream);
    }

    /// <summary>The frame that carries <paramref name="blob"/> (a <c>byte[]</c>, a pooled snapshot or a string, see <see cref="Codec.BlobList"/>).</summary>
    public static Frame ForBlob(object blob) => blob switch
    {
        string text => new Frame(MessageKind.TextBlob, []) { Text = text },
        Codec.PooledBytes pooled => new Frame(MessageKind.Blob, pooled.Array) { Length = pooled.Length },
        _ => new Frame(MessageKind.Blob, (byte[])blob),
    };

    /// <summary>Whether this frame is a blob of the call or result that follows.</summary>
    public bool IsBlob => Kind is MessageKind.Blob or MessageKind.TextBlob;

    /// <summary>The blob this frame carries: its bytes, or its text.</summary>
    public object Blob => Text ?? (object)Payload;

    /// <summary>Reads one frame; <c>null</c> at a clean end of stream (between frames).</summary>
    /// <exception cref="EndOfStreamException">The stream ended inside a frame.</exception>
    /// <exception cref="InvalidDataException">The length is out of range.</exception>
    public static Frame? ReadFrom(Stream stream)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        int got = stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        if (got == 0) return null;
        if (got < HeaderSize) throw new EndOfStreamException("The pipe ended inside a frame header.");
        int length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 1 || length > MaxLength) throw new InvalidDataException($"Bad frame length {length}.");
        if ((MessageKind)header[4] == MessageKind.TextBlob) return new Frame(MessageKind.TextBlob, []) { Text = TextBlob.Read(stream, length - 1) };
        // Not zeroed first: the read fills every byte, or throws and the array is dropped (a 10 MB blob saves a 10 MB memset).
        byte[] payload = GC.AllocateUninitializedArray<byte>(length - 1);
        stream.ReadExactly(payload);
        return new Frame((MessageKind)header[4], payload);
    }
}
