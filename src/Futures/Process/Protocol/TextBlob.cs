using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Futures.ProcessPool.Protocol;

/// <summary>
/// A string blob on the pipe (<see cref="MessageKind.TextBlob"/>), as <c>[int32 chars][UTF-8 bytes]</c>,
/// encoded straight from the string into the pipe and decoded straight from the pipe into the new
/// string, a chunk at a time.
/// </summary>
/// <remarks>
/// So a 100 MB string costs no 100 MB buffer on either side: the sender's string and the receiver's
/// new one are the only copies of the text in memory (issue 11: at most 3× the payload in the parent).
/// UTF-8 halves the bytes on the pipe for mostly-ASCII text against UTF-16, and transcoding runs at
/// memory speed. Only well-formed text becomes a blob (the codec sends the rest inside the JSON).
/// </remarks>
internal static class TextBlob
{
    /// <summary>Chars encoded or decoded per step; the byte buffer is three times this (UTF-8's worst case), rented.</summary>
    private const int ChunkChars = 256 * 1024;

    /// <summary>Writes <paramref name="text"/> as one whole frame, header included.</summary>
    public static void Write(Stream stream, string text)
    {
        int bytes = Encoding.UTF8.GetByteCount(text);
        Span<byte> header = stackalloc byte[Frame.HeaderSize + 4];
        BinaryPrimitives.WriteInt32LittleEndian(header, checked(1 + 4 + bytes));
        header[4] = (byte)MessageKind.TextBlob;
        BinaryPrimitives.WriteInt32LittleEndian(header[Frame.HeaderSize..], text.Length);
        stream.Write(header);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(ChunkChars));
        try
        {
            Encoder encoder = Encoding.UTF8.GetEncoder();
            ReadOnlySpan<char> rest = text;
            while (!rest.IsEmpty)
            {
                ReadOnlySpan<char> chunk = rest[..Math.Min(ChunkChars, rest.Length)];
                rest = rest[chunk.Length..];
                // flush at the end only: a surrogate pair split across chunks stays whole
                int written = encoder.GetBytes(chunk, buffer, flush: rest.IsEmpty);
                stream.Write(buffer, 0, written);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        stream.Flush();
    }

    /// <summary>Reads the rest of a text frame whose payload is <paramref name="payloadLength"/> bytes (the header already read).</summary>
    /// <exception cref="InvalidDataException">The frame does not hold as many chars as it says.</exception>
    public static string Read(Stream stream, int payloadLength)
    {
        Span<byte> count = stackalloc byte[4];
        stream.ReadExactly(count);
        int chars = BinaryPrimitives.ReadInt32LittleEndian(count);
        int bytes = payloadLength - 4;
        if (chars < 0 || bytes < 0 || chars > bytes) throw new InvalidDataException($"A text frame of {bytes} bytes cannot hold {chars} chars.");
        return string.Create(chars, (stream, bytes), static (target, state) =>
        {
            (Stream source, int left) = state;
            Decoder decoder = Encoding.UTF8.GetDecoder();
            byte[] buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(ChunkChars));
            try
            {
                int at = 0;
                while (left > 0)
                {
                    int got = source.Read(buffer, 0, Math.Min(buffer.Length, left));
                    if (got == 0) throw new EndOfStreamException("The pipe ended inside a text frame.");
                    left -= got;
                    decoder.Convert(buffer.AsSpan(0, got), target[at..], flush: left == 0, out _, out int decoded, out _);
                    at += decoded;
                }
                if (at != target.Length) throw new InvalidDataException($"A text frame said {target.Length} chars and held {at}.");
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });
    }
}
