using System.Text.Json;
using System.Text.Json.Serialization;

namespace Futures.ProcessPool.Protocol;

/// <summary>Shared pieces of the wire format: the JSON options of arguments and results, and small binary helpers.</summary>
internal static class Wire
{
    /// <summary>
    /// How arguments and results cross: System.Text.Json with public fields included (value
    /// tuples and simple structs round-trip), and NaN/Infinity allowed for floating-point values.
    /// </summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        // Explicit, so that it does not depend on the app's JsonSerializerIsReflectionEnabledByDefault: a
        // file-based app or any PublishAot=true project turns that off in its runtimeconfig, even under
        // `dotnet run`, and the worker runs on that runtimeconfig.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        IncludeFields = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

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
