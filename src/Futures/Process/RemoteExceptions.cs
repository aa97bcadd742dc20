using System.Reflection;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>Rebuilds, in the parent, an exception that a worker described.</summary>
/// <remarks>
/// The same type and message come back when the type derives from <see cref="Exception"/>, lives
/// in an assembly this process has loaded already, and has a <c>(string, Exception)</c> or
/// <c>(string)</c> constructor; the worker's side is its <see cref="RemoteException"/> inner
/// exception. Nothing else the worker names is ever loaded or instantiated here: a type we cannot
/// build that way comes back as a <see cref="RemoteException"/>.
/// </remarks>
internal static class RemoteExceptions
{
    /// <summary>The exception to throw for <paramref name="info"/>.</summary>
    public static Exception Rebuild(ExceptionInfo info)
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
