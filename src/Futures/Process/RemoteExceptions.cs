using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Futures.Codec;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>An exception on its way from a worker: described there, rebuilt here.</summary>
/// <remarks>
/// The exception itself crosses by the codec, with its state (<see cref="ExceptionConverter{T}"/>):
/// its own type where this process has that type loaded, its properties, fields, Data, HResult,
/// inner exceptions and stack trace. Its text (<see cref="ExceptionInfo"/>) travels beside it for
/// when the state cannot cross (a Data value that is a delegate, say): then the same type and
/// message come back where that type has a <c>(string, Exception)</c> or <c>(string)</c>
/// constructor, with a <see cref="RemoteException"/> inner exception holding the worker's stack
/// trace; failing that, the <see cref="RemoteException"/> itself. Nothing else the worker names is
/// ever loaded or instantiated here.
/// </remarks>
internal static class RemoteExceptions
{
    /// <summary>The failed outcome of call <paramref name="callId"/>, for the parent.</summary>
    public static ResultItem Describe(long callId, Exception e)
    {
        byte[] state;
        try
        {
            state = ValueCodec.Encode([e], [typeof(Exception)], blobs: null, ["the exception"]);
        }
        catch (Exception)
        {
            state = []; // its text still crosses
        }
        return new ResultItem(callId, ExceptionInfo.From(e), []) { ExceptionJson = state };
    }

    /// <summary>The exception to complete a future with, for a failed <paramref name="result"/>.</summary>
    public static Exception Rebuild(ResultItem result, CodecTypeResolver? types = null)
    {
        ExceptionInfo info = result.Exception ?? throw new ArgumentException("The call did not fail.", nameof(result));
        if (result.ExceptionJson.Length > 0)
        {
            try
            {
                if (ValueCodec.Decode(result.ExceptionJson, [typeof(Exception)], blobs: null, types)[0] is Exception rebuilt) return rebuilt;
            }
            catch (Exception)
            {
                // The text below still says what happened.
            }
        }
        return ValueCodec.IsReflectionEnabled ? RebuildFromText(info) : new RemoteException($"{info.TypeName}: {info.Message}", info.TypeName, info.StackTrace);
    }

    [RequiresUnreferencedCode("Exception types are looked up by name among the loaded assemblies.")]
    private static Exception RebuildFromText(ExceptionInfo info)
    {
        var remote = new RemoteException($"{info.TypeName}: {info.Message}", info.TypeName, info.StackTrace);
        Type? type = FindLoadedType(info);
        if (type is null) return remote;
        try
        {
            if (type.GetConstructor([typeof(string), typeof(Exception)]) is { } withInner)
            {
                return (Exception)withInner.Invoke([info.Message, remote]);
            }
            if (type.GetConstructor([typeof(string)]) is { } messageOnly)
            {
                var rebuilt = (Exception)messageOnly.Invoke([info.Message]);
                // No constructor takes the inner exception: set the field that Exception keeps it in.
                typeof(Exception).GetField("_innerException", BindingFlags.Instance | BindingFlags.NonPublic)?.SetValue(rebuilt, remote);
                return rebuilt;
            }
        }
        catch (Exception)
        {
            // A constructor that throws: fall back to the plain description.
        }
        return remote;
    }

    [RequiresUnreferencedCode("Exception types are looked up by name among the loaded assemblies.")]
    private static Type? FindLoadedType(ExceptionInfo info)
    {
        foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.IsDynamic || assembly.GetName().Name != info.AssemblyName) continue;
            Type? type = assembly.GetType(info.TypeName, throwOnError: false);
            if (type is not null && typeof(Exception).IsAssignableFrom(type) && !type.IsAbstract && !type.ContainsGenericParameters) return type;
        }
        return null;
    }
}
