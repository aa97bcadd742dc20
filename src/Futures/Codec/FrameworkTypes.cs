using System.Collections.Concurrent;
using System.Reflection;

namespace Futures.Codec;

/// <summary>Tells the .NET libraries' types (the runtime's and Microsoft's packages) from the app's own.</summary>
/// <remarks>
/// The codec treats them differently: the app's classes cross by their fields (as pickle crosses an
/// object's <c>__dict__</c>), while a .NET collection crosses by its contents, because its fields
/// hold hash codes and buckets that mean nothing in another process.
/// </remarks>
internal static class FrameworkTypes
{
    /// <summary>Public key tokens of the assemblies Microsoft ships as .NET: the runtime's and its NuGet packages'.</summary>
    private static readonly string[] s_tokens = ["7cec85d7bea7798e", "b03f5f7f11d50a3a", "cc7b13ffcd2ddd51", "adb9793829ddae60", "31bf3856ad364e35"];

    /// <summary>The answer per assembly, e.g. <c>{System.Private.CoreLib: true, MyApp: false}</c>.</summary>
    private static readonly ConcurrentDictionary<Assembly, bool> s_assemblies = new();

    /// <summary>Whether <paramref name="type"/> is declared by a .NET library.</summary>
    public static bool Contains(Type type) => s_assemblies.GetOrAdd(type.Assembly, static a => IsFramework(a));

    private static bool IsFramework(Assembly assembly)
    {
        byte[]? token = assembly.GetName().GetPublicKeyToken();
        if (token is null || token.Length == 0) return false;
        string hex = Convert.ToHexStringLower(token);
        return Array.IndexOf(s_tokens, hex) >= 0;
    }
}
