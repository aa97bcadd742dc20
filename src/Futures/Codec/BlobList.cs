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
/// inside the JSON. Items are <c>byte[]</c> or <see cref="string"/>: a writer's <c>byte[]</c> is
/// a copy taken when the value was encoded (the caller may change its array afterwards), a string
/// is the value itself (strings don't change).
/// </remarks>
internal sealed class BlobList
{
    /// <summary>A <c>byte[]</c> this long or longer travels as a blob (base64 below: a frame costs more than a few bytes of JSON).</summary>
    public const int MinBytes = 1024;

    /// <summary>A string this long or longer travels as a blob (UTF-8 in a frame of its own; shorter ones are escaped into the JSON).</summary>
    public const int MinChars = 8 * 1024;

    /// <summary>The blobs in the order they were added, e.g. <c>[byte[10 MB], "…"]</c>.</summary>
    private readonly List<object> _items;

    /// <summary>An empty list, to collect the blobs of a value being encoded.</summary>
    public BlobList() => _items = new List<object>();

    /// <summary>The blobs received before a call or a result, in order.</summary>
    public BlobList(IEnumerable<object> received) => _items = new List<object>(received);

    /// <summary>How many blobs there are.</summary>
    public int Count => _items.Count;

    /// <summary>The blobs, each a <c>byte[]</c> or a <see cref="string"/>.</summary>
    public IReadOnlyList<object> Items => _items;

    /// <summary>Adds <paramref name="blob"/> (a <c>byte[]</c> the caller will not change, or a string); returns its index.</summary>
    public int Add(object blob)
    {
        Debug.Assert(blob is byte[] or string, "Blobs are bytes or text.");
        _items.Add(blob);
        return _items.Count - 1;
    }

    /// <summary>Drops the blobs after the first <paramref name="count"/> (those of an encode that is started again).</summary>
    public void Truncate(int count) => _items.RemoveRange(count, _items.Count - count);

    /// <summary>The blob at <paramref name="index"/>, which must be a <typeparamref name="T"/>.</summary>
    /// <exception cref="System.Text.Json.JsonException">No such blob, or a blob of the other kind.</exception>
    public T Get<T>(int index) where T : class =>
        (uint)index < (uint)_items.Count && _items[index] is T blob
            ? blob
            : throw new System.Text.Json.JsonException($"Blob {index} is missing or is not a {typeof(T).Name}.");
}
