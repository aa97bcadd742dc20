using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Futures.Codec;

/// <summary>
/// The one codec of values that cross a process boundary — a process pool's arguments, targets,
/// results and exceptions, and the cluster's alike: what arrives is what was sent, or the call
/// fails naming the type and where it sits.
/// </summary>
/// <remarks>
/// System.Text.Json does the work, with the codec's own contracts (<see cref="CodecResolver"/>: the
/// state of objects by their fields, run-time types in open slots, shared references and cycles
/// through one <see cref="CodecSession"/>, large strings and arrays as blobs). Several values — a
/// call's target and arguments — are one JSON array written in one session, so a list passed twice
/// arrives as one list passed twice, as pickle pickles a call's arguments as one tuple.
/// Where reflection is unavailable (trimmed and Native AOT apps, <see cref="IsReflectionEnabled"/>
/// false) the contracts are the ones the Futures source generator emitted into the app
/// (<see cref="GeneratedResolvers"/>): primitives, strings, arrays, lists and dictionaries of them.
/// </remarks>
internal static class ValueCodec
{
    /// <summary>The AppContext switch that turns the reflection-based codec off (set false when an app is trimmed).</summary>
    public const string ReflectionSwitch = "Futures.ProcessPool.ReflectionCodec";

    /// <summary>
    /// How deep a graph may nest, in JSON levels (System.Text.Json counts from the writer's depth, so
    /// across nested calls). The real limit is the stack, which the codec's converters and object
    /// contracts check (<see cref="DeepGraphs"/>); this only bounds what a peer may send.
    /// </summary>
    public const int MaxDepth = 100_000;

    /// <summary>The options every encode and decode uses; made once (its contracts are cached in it).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>
    /// Whether the codec may use reflection: yes, unless the app was trimmed or compiled ahead of time.
    /// The Futures package sets the switch false in a trimmed or Native AOT publish, where the trimmer
    /// then removes the reflection-based codec; without it, only Native AOT itself turns it off. Not
    /// <see cref="RuntimeFeature.IsDynamicCodeSupported"/>: a file-based app under <c>dotnet run</c> runs
    /// on the JIT with that off, and there the reflection-based codec works and carries every type.
    /// </summary>
    [FeatureSwitchDefinition(ReflectionSwitch)]
    [FeatureGuard(typeof(RequiresUnreferencedCodeAttribute))]
    [FeatureGuard(typeof(RequiresDynamicCodeAttribute))]
    public static bool IsReflectionEnabled
    {
        [UnconditionalSuppressMessage("Trimming", "IL4000", Justification = "A feature switch: the package sets it false wherever the app is trimmed, and the trimmer then removes what it guards.")]
        get => AppContext.TryGetSwitch(ReflectionSwitch, out bool enabled) ? enabled : !ProcessPool.RunningApp.IsNativeAot;
    }

    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // never embedded in HTML: no need to escape <, >, &, non-ASCII
        MaxDepth = MaxDepth,
        SkipValidation = true,
    };

    /// <summary>The reader's depth limit counts the whole graph (the reader is shared by nested calls); the stack check guards recursion.</summary>
    private static readonly JsonReaderOptions s_readerOptions = new() { MaxDepth = 1_000_000 };

    /// <summary>
    /// Encodes <paramref name="values"/> by their declared <paramref name="types"/> as one JSON array,
    /// large strings and arrays going to <paramref name="blobs"/> (null: inside the JSON).
    /// </summary>
    /// <param name="values">The values, e.g. a call's target and arguments.</param>
    /// <param name="types">Their declared types.</param>
    /// <param name="blobs">Where blobs go, or null.</param>
    /// <param name="slots">The values' names for errors and <see cref="ArgumentException.ParamName"/>, e.g. <c>["arg1", "arg2"]</c>.</param>
    /// <exception cref="ArgumentException">A value, or something in it, cannot cross; the message names its type and place.</exception>
    /// <exception cref="Exception">Whatever user code that runs while encoding (a <c>[JsonConverter]</c>) throws.</exception>
    public static byte[] Encode(object?[] values, Type[] types, BlobList? blobs, string[] slots)
    {
        int blobsBefore = blobs?.Count ?? 0;
        try
        {
            return EncodeHere(values, types, blobs, slots); // no closure on the path every call takes
        }
        catch (InsufficientExecutionStackException)
        {
            return EncodeDeep(values, types, blobs, slots, blobsBefore);
        }
    }

    /// <summary>A graph nested too deeply for this thread's stack: <see cref="DeepGraphs"/> starts the encode again, on a large stack if need be.</summary>
    private static byte[] EncodeDeep(object?[] values, Type[] types, BlobList? blobs, string[] slots, int blobsBefore) =>
        DeepGraphs.Run(() =>
        {
            blobs?.Truncate(blobsBefore); // each attempt starts again
            return EncodeHere(values, types, blobs, slots);
        }, string.Join(", ", slots));

    /// <summary>
    /// This thread's JSON writer and its buffer, kept between encodes (most calls write a few bytes, and
    /// making both cost more than writing them); null while an encode on this thread uses them, so that
    /// a nested encode (user code in a converter) makes its own.
    /// </summary>
    [ThreadStatic] private static EncodeBuffers? t_buffers;

    /// <summary>A buffer that grew past this is dropped after use rather than kept for the thread's life.</summary>
    private const int KeptBufferBytes = 64 * 1024;

    private sealed class EncodeBuffers
    {
        public readonly ArrayBufferWriter<byte> Bytes = new(256);

        public readonly Utf8JsonWriter Writer;

        public EncodeBuffers() => Writer = new Utf8JsonWriter(Bytes, s_writerOptions);
    }

    private static byte[] EncodeHere(object?[] values, Type[] types, BlobList? blobs, string[] slots)
    {
        EncodeBuffers buffers = t_buffers ?? new EncodeBuffers();
        t_buffers = null; // taken: a nested encode makes its own
        buffers.Bytes.ResetWrittenCount();
        buffers.Writer.Reset(buffers.Bytes);
        Utf8JsonWriter writer = buffers.Writer;
        byte[] json;
        using (CodecSession.BeginWrite(blobs, writer))
        {
            writer.WriteStartArray();
            for (int i = 0; i < values.Length; i++)
            {
                try
                {
                    CodecSession.Current.NoteHere(""); // the slot's own name comes first in messages
                    JsonSerializer.Serialize(writer, values[i], Contract(types[i]));
                }
                catch (NotSupportedException e)
                {
                    throw AsArgumentException(e, slots[i], types[i]);
                }
            }
            writer.WriteEndArray();
            writer.Flush();
            json = buffers.Bytes.WrittenSpan.ToArray();
        }
        // Given back only after a complete encode: one that threw leaves the writer mid-document (Reset
        // would clear that too, but a new pair costs little on a path that already threw).
        if (buffers.Bytes.Capacity <= KeptBufferBytes) t_buffers = buffers;
        return json;
    }

    /// <summary>Decodes what <see cref="Encode"/> wrote, by the same declared types.</summary>
    /// <param name="json">The JSON array.</param>
    /// <param name="types">The declared types, as the writer had them.</param>
    /// <param name="blobs">The blobs that came with it, or null.</param>
    /// <param name="typeResolver">How this side loads types named in the JSON; null for the default load context.</param>
    /// <exception cref="JsonException">The JSON is not what <see cref="Encode"/> writes for these types, or names a type this side will not build.</exception>
    public static object?[] Decode(ReadOnlyMemory<byte> json, Type[] types, BlobList? blobs, CodecTypeResolver? typeResolver = null)
    {
        try
        {
            return DecodeHere(json.Span, types, blobs, typeResolver); // no closure on the path every call takes
        }
        catch (InsufficientExecutionStackException)
        {
            return DecodeDeep(json, types, blobs, typeResolver);
        }
    }

    /// <summary>A graph nested too deeply for this thread's stack: <see cref="DeepGraphs"/> starts the decode again, on a large stack if need be.</summary>
    private static object?[] DecodeDeep(ReadOnlyMemory<byte> json, Type[] types, BlobList? blobs, CodecTypeResolver? typeResolver) =>
        DeepGraphs.Run(() => DecodeHere(json.Span, types, blobs, typeResolver), "A value received");

    private static object?[] DecodeHere(ReadOnlySpan<byte> json, Type[] types, BlobList? blobs, CodecTypeResolver? typeResolver)
    {
        var values = new object?[types.Length];
        using (CodecSession.BeginRead(blobs, typeResolver, json.Length + BlobBytes(blobs)))
        {
            var reader = new Utf8JsonReader(json, s_readerOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) throw new JsonException("A JSON array of values expected.");
            for (int i = 0; i < values.Length; i++)
            {
                if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray) throw new JsonException($"{types.Length} values declared, {i} sent.");
                values[i] = JsonSerializer.Deserialize(ref reader, Contract(types[i]));
            }
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray) throw new JsonException($"More than the {types.Length} values declared.");
        }
        return values;
    }

    /// <summary>The contract of a declared type, with a message that says what to do when there is none (a trimmed or AOT app).</summary>
    private static JsonTypeInfo Contract(Type type)
    {
        try
        {
            return Options.GetTypeInfo(type);
        }
        catch (NotSupportedException) when (!IsReflectionEnabled)
        {
            throw new NotSupportedException(
                $"{type.FullName} cannot cross in a trimmed or Native AOT app: there the process pool carries primitives, strings, " +
                "enums, arrays, List<T> and Dictionary<TKey, TValue> of them (described at build time by the Futures source generator); " +
                "pass such values, or publish without trimming.");
        }
    }

    private static ArgumentException AsArgumentException(Exception e, string slot, Type declared)
    {
        if (CannotCrossException.TryUnwrap(e, out CannotCrossException refusal)) return refusal.ToArgumentException(slot, slot);
        string path = CodecSession.CurrentOrNull?.PathHere() ?? "";
        return new ArgumentException($"{slot}{path} (declared {CodecTypeResolver.Display(declared)}) cannot cross to another process: {e.Message}", slot, e);
    }

    private static long BlobBytes(BlobList? blobs)
    {
        long total = 0;
        if (blobs is null) return 0;
        foreach (object blob in blobs.Items) total += blob switch { byte[] bytes => bytes.Length, string text => text.Length * 3L, _ => 0 };
        return total;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The reflection-based resolver is made only where IsReflectionEnabled, which a trimmed app's feature switch turns off.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "As above: only where dynamic code is supported.")]
    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = IsReflectionEnabled ? new CodecResolver() : new GeneratedResolvers(),
            ReferenceHandler = new SessionReferenceHandler(),
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            MaxDepth = MaxDepth,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly();
        return options;
    }
}
