using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Futures.Codec;

/// <summary>
/// One encode or one decode of a graph of values (a call's target and arguments, or a result): the
/// references seen so far, so that shared references and cycles keep their shape, and the blobs
/// that travel beside the JSON.
/// </summary>
/// <remarks>
/// System.Text.Json asks its <see cref="ReferenceHandler"/> for a resolver at the start of every
/// serializer call, and the codec's converters make nested calls (a derived type's own contract,
/// an array's elements): all of them must number objects in one sequence, so the handler hands out
/// the session of the current thread (<see cref="SessionReferenceHandler"/>). Sessions nest: user
/// code that runs while a value is encoded (a <c>[JsonConverter]</c> of the user's) may encode
/// another graph on the same thread. A session is used by the thread that began it only.
/// </remarks>
internal sealed class CodecSession : ReferenceResolver, IDisposable
{
    [ThreadStatic] private static CodecSession? t_current;

    /// <summary>The session that was current when this one began; current again when this one ends.</summary>
    private readonly CodecSession? _outer;

    /// <summary>Writing: ids given to objects so far, by identity, e.g. <c>{node a: "1", list: "2"}</c>.</summary>
    private Dictionary<object, string>? _ids;

    /// <summary>Reading: objects by the id the writer gave them, e.g. <c>{"1": node a}</c>.</summary>
    private Dictionary<string, object>? _objects;

    private int _nextId;

    /// <summary>
    /// Writing: where the writer is, one entry per JSON depth, e.g. <c>[null, ".Owner", "[2]", ".Callback"]</c>:
    /// the codec's contracts note each field and element before it is written, so that a refusal can
    /// say where the value sits. An entry is replaced when its depth is written again, and deeper
    /// entries are dropped then.
    /// </summary>
    private List<string?>? _path;

    /// <summary>Whether this session writes (else it reads). The tables above are made on first use: most calls carry a few numbers.</summary>
    private readonly bool _writing;

    private CodecSession(bool writing, BlobList? blobs, CodecTypeResolver? types, long payloadLength, Utf8JsonWriter? writer)
    {
        PayloadLength = payloadLength;
        Writer = writer;
        _writing = writing;
        _outer = t_current;
        Blobs = blobs;
        Types = types ?? CodecTypeResolver.Default;
    }

    /// <summary>The session of this thread; the codec's converters run only inside one.</summary>
    /// <exception cref="InvalidOperationException">No session: a converter was used outside <see cref="ValueCodec"/>.</exception>
    public static CodecSession Current => t_current ?? throw new InvalidOperationException("The Futures codec ran outside a codec session.");

    /// <summary>The session of this thread, if any.</summary>
    public static CodecSession? CurrentOrNull => t_current;

    /// <summary>Writing: the writer every nested serializer call of this session writes to.</summary>
    public Utf8JsonWriter? Writer { get; }

    /// <summary>Where large <c>byte[]</c> and string values go (writing) or come from (reading); null: they travel inside the JSON.</summary>
    public BlobList? Blobs { get; }

    /// <summary>Reading: the size of the JSON plus its blobs, in bytes; no array read can have more elements.</summary>
    public long PayloadLength { get; }

    /// <summary>How type names read from the JSON become types on this side.</summary>
    public CodecTypeResolver Types { get; }

    /// <summary>Starts encoding a graph on this thread.</summary>
    public static CodecSession BeginWrite(BlobList? blobs, Utf8JsonWriter writer) =>
        t_current = new CodecSession(writing: true, blobs, types: null, payloadLength: 0, writer);

    /// <summary>Starts decoding a graph on this thread.</summary>
    public static CodecSession BeginRead(BlobList? blobs, CodecTypeResolver? types, long payloadLength) =>
        t_current = new CodecSession(writing: false, blobs, types, payloadLength, writer: null);

    /// <summary>Ends this session: the one it interrupted is current again.</summary>
    public void Dispose()
    {
        Debug.Assert(t_current == this, "Sessions end in the reverse order they began, on their own thread.");
        t_current = _outer;
    }

    /// <summary>Notes that the value about to be written at the writer's depth is <paramref name="segment"/> (<c>.Name</c>, <c>[3]</c>, or empty for a wrapper).</summary>
    public void NoteHere(string segment)
    {
        if (!_writing || Writer is null) return;
        int depth = Writer.CurrentDepth;
        _path ??= new List<string?>();
        while (_path.Count <= depth) _path.Add(null);
        _path[depth] = segment;
        _path.RemoveRange(depth + 1, _path.Count - depth - 1);
    }

    /// <summary>Notes an element of a collection the codec does not write itself (its index unknown), unless something is noted there already.</summary>
    public void NoteElementHere()
    {
        if (!_writing || Writer is null) return;
        int depth = Writer.CurrentDepth;
        if (_path is null || depth >= _path.Count || _path[depth] is null) NoteHere("[…]");
    }

    /// <summary>The path to the value being written, below the root value: <c>.Owner.Pets[2]</c>.</summary>
    public string PathHere()
    {
        if (_path is null || Writer is null) return "";
        int depth = Writer.CurrentDepth;
        var path = new System.Text.StringBuilder();
        for (int d = 1; d <= depth; d++)
        {
            string? segment = d < _path.Count ? _path[d] : null;
            path.Append(segment ?? (d == depth ? "[…]" : ""));
        }
        return path.ToString();
    }

    /// <inheritdoc/>
    public override string GetReference(object value, out bool alreadyExists)
    {
        Debug.Assert(_writing, "Only a writing session numbers objects.");
        _ids ??= new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        if (_ids.TryGetValue(value, out string? id))
        {
            alreadyExists = true;
            return id;
        }
        alreadyExists = false;
        id = (++_nextId).ToString(CultureInfo.InvariantCulture);
        _ids.Add(value, id);
        return id;
    }

    /// <inheritdoc/>
    public override void AddReference(string referenceId, object value)
    {
        Debug.Assert(!_writing, "Only a reading session collects objects.");
        _objects ??= new Dictionary<string, object>(StringComparer.Ordinal);
        if (!_objects.TryAdd(referenceId, value)) throw new JsonException($"The id {referenceId} appears twice.");
    }

    /// <inheritdoc/>
    public override object ResolveReference(string referenceId)
    {
        Debug.Assert(!_writing, "Only a reading session resolves references.");
        return _objects is not null && _objects.TryGetValue(referenceId, out object? value)
            ? value
            : throw new JsonException($"A reference to id {referenceId}, which was not read before it.");
    }
}

/// <summary>Hands System.Text.Json the current <see cref="CodecSession"/>, so that nested serializer calls share one numbering of objects.</summary>
internal sealed class SessionReferenceHandler : ReferenceHandler
{
    /// <inheritdoc/>
    public override ReferenceResolver CreateResolver() => CodecSession.Current;
}
