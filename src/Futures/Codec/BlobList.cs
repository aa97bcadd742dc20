using System.Buffers;
using System.Diagnostics;

namespace Futures.Codec;

/// <summary>
/// The large <c>byte[]</c> and string values of one call or result, which travel beside its JSON as
/// frames of their own (raw bytes, UTF-8 text) instead of as base64 or escaped JSON strings: the
/// JSON holds their index here, e.g. <c>{"$id":"3","$blob":0}</c>.
/// </summary>
/// <remarks>
/// Only a transport that can send frames (a worker's pipe) has one; elsewhere (a cluster call,
/// which must be self-contained) <see cref="CodecSession.Blobs"/> is null and every value travels
/// inside the JSON. A writer's items are <c>byte[]</c>, <see cref="PooledBytes"/> or
/// <see cref="string"/>; a reader's are <c>byte[]</c> or <see cref="string"/>.
/// <para>
/// Bytes are added as <see cref="Snapshots"/> says. A Submit's list takes a copy of each array when
/// the value is encoded (the caller may change its array afterwards, and must not see the worker get
/// the change); a copy of <see cref="PooledBytes.MinLength"/> or more goes into a buffer rented from
/// <see cref="ArrayPool{T}.Shared"/> (a large-object-heap array per call cost a gen-2 collection now
/// and then, and 10 MB of zeroing), which <see cref="Release"/> returns when the call is done. A
/// worker's result list sends the arrays as they are: the result is written at once, before any
/// more of the call's code runs on that thread. A string is the value itself (strings don't change).
/// </para>
/// </remarks>
internal sealed class BlobList
{
    /// <summary>A <c>byte[]</c> this long or longer travels as a blob (base64 below: a frame costs more than a few bytes of JSON).</summary>
    public const int MinBytes = 1024;

    /// <summary>A string this long or longer travels as a blob (UTF-8 in a frame of its own; shorter ones are escaped into the JSON).</summary>
    public const int MinChars = 8 * 1024;

    /// <summary>The blobs in the order they were added, e.g. <c>[byte[10 MB], "…"]</c>.</summary>
    private readonly List<object> _items;

    /// <summary>Set once the pooled buffers went back: a blob frame of this list must not be written any more.</summary>
    private int _released;

    /// <summary>An empty list, to collect the blobs of a value being encoded.</summary>
    /// <param name="snapshots">Whether bytes are copied as they are added (a Submit's arguments) or kept as they are (a worker's result).</param>
    public BlobList(bool snapshots = false)
    {
        _items = new List<object>();
        Snapshots = snapshots;
    }

    /// <summary>The blobs received before a call or a result, in order.</summary>
    public BlobList(IEnumerable<object> received) => _items = new List<object>(received);

    /// <summary>Whether added bytes are copied (large ones into pooled buffers) rather than kept as they are.</summary>
    public bool Snapshots { get; }

    /// <summary>How many blobs there are.</summary>
    public int Count => _items.Count;

    /// <summary>The blobs, each a <c>byte[]</c>, a <see cref="PooledBytes"/> or a <see cref="string"/>.</summary>
    public IReadOnlyList<object> Items => _items;

    /// <summary>Adds <paramref name="blob"/> (a <c>byte[]</c> the caller will not change, or a string); returns its index.</summary>
    public int Add(object blob)
    {
        Debug.Assert(blob is byte[] or string, "Blobs are bytes or text.");
        _items.Add(blob);
        return _items.Count - 1;
    }

    /// <summary>
    /// Adds bytes: <paramref name="whole"/> itself where the list keeps arrays as they are and the bytes
    /// are a whole array, else a copy (a pooled one when large and the list takes snapshots); returns its index.
    /// </summary>
    public int AddBytes(ReadOnlySpan<byte> bytes, byte[]? whole)
    {
        object blob;
        if (!Snapshots && whole is not null) blob = whole;
        else if (Snapshots && bytes.Length >= PooledBytes.MinLength) blob = PooledBytes.CopyOf(bytes);
        else blob = bytes.ToArray();
        _items.Add(blob);
        return _items.Count - 1;
    }

    /// <summary>Drops the blobs after the first <paramref name="count"/> (those of an encode that is started again), returning their pooled buffers.</summary>
    public void Truncate(int count)
    {
        for (int i = count; i < _items.Count; i++) (_items[i] as PooledBytes)?.Return();
        _items.RemoveRange(count, _items.Count - count);
    }

    /// <summary>
    /// Returns the pooled buffers, once: the call is done (answered, failed or cancelled), so no frame
    /// of it will be written again. Other threads may call it at once; one does the work.
    /// </summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        foreach (object item in _items) (item as PooledBytes)?.Return();
    }

    /// <summary>The blob at <paramref name="index"/>, which must be a <typeparamref name="T"/>.</summary>
    /// <exception cref="System.Text.Json.JsonException">No such blob, or a blob of the other kind.</exception>
    public T Get<T>(int index) where T : class =>
        (uint)index < (uint)_items.Count && _items[index] is T blob
            ? blob
            : throw new System.Text.Json.JsonException($"Blob {index} is missing or is not a {typeof(T).Name}.");
}

/// <summary>A copy of a large <c>byte[]</c> in a buffer rented from <see cref="ArrayPool{T}.Shared"/> (see <see cref="BlobList"/>).</summary>
internal sealed class PooledBytes
{
    /// <summary>A copy this long or longer is pooled: an array that size would be a large-object-heap one (85,000 bytes and up).</summary>
    public const int MinLength = 85_000;

    private byte[]? _array;

    private PooledBytes(byte[] array, int length)
    {
        _array = array;
        Length = length;
    }

    /// <summary>A pooled copy of <paramref name="bytes"/>.</summary>
    public static PooledBytes CopyOf(ReadOnlySpan<byte> bytes)
    {
        byte[] array = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(array);
        return new PooledBytes(array, bytes.Length);
    }

    /// <summary>The rented buffer; the bytes are its first <see cref="Length"/>.</summary>
    /// <exception cref="ObjectDisposedException">Returned already: the call is done.</exception>
    public byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledBytes), "The call's pooled blob was returned: the call is done.");

    /// <summary>How many bytes were copied.</summary>
    public int Length { get; }

    /// <summary>Gives the buffer back to the pool (once).</summary>
    public void Return()
    {
        if (Interlocked.Exchange(ref _array, null) is { } array) ArrayPool<byte>.Shared.Return(array);
    }
}
