using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Metadata;
using System.Runtime.Loader;
using System.Text.Json;

namespace Futures.Codec;

/// <summary>
/// Names the run-time types of values for the wire, and turns such names back into types on the
/// receiving side — only types that the value's declared type admits.
/// </summary>
/// <remarks>
/// The receiving side builds a named type only when (a) it is assignable to the declared type of
/// the slot the value arrives in, (b) its assemblies are ones this process loads by name — the
/// app's own assemblies and the .NET libraries they use (the default load context's, or for a
/// cluster node the context of the task's uploaded code) — and, for exceptions, already loaded,
/// and (c) it is not a type that cannot cross (<see cref="RefusedTypes"/>). So a peer can choose
/// among the types the receiving code already expects, never an arbitrary one.
/// Names use simple assembly names (<c>MyApp.Dog, MyApp</c>), parsed with
/// <see cref="TypeName"/>; both caches are keyed by exact name or type and never shrink, like the
/// runtime's own type caches.
/// </remarks>
internal class CodecTypeResolver
{
    /// <summary>Names on the wire by type, e.g. <c>{typeof(List&lt;Dog&gt;): "System.Collections.Generic.List`1[[MyApp.Dog, MyApp]], System.Private.CoreLib"}</c>.</summary>
    private static readonly ConcurrentDictionary<Type, string> s_names = new();

    /// <summary>Types by name, as this resolver found them (before the per-slot checks).</summary>
    private readonly ConcurrentDictionary<string, Type> _types = new(StringComparer.Ordinal);

    /// <summary>The resolver of the default load context: the app's assemblies and the .NET libraries.</summary>
    public static CodecTypeResolver Default { get; } = new();

    /// <summary>The wire name of <paramref name="type"/>.</summary>
    public static string NameOf(Type type) => s_names.GetOrAdd(type, static t => $"{FullName(t)}, {AssemblyOf(t).GetName().Name}");

    /// <summary>A readable name for messages: <c>System.Func&lt;System.Int32, System.Int32&gt;</c>, <c>MyApp.Outer.Inner[]</c>.</summary>
    public static string Display(Type type)
    {
        if (type.IsArray) return Display(type.GetElementType()!) + (type.IsSZArray ? "[]" : $"[{new string(',', type.GetArrayRank() - 1)}]");
        string name = (type.FullName ?? type.Name).Replace('+', '.');
        if (!type.IsConstructedGenericType) return name;
        string definition = type.GetGenericTypeDefinition().FullName!.Replace('+', '.');
        int tick = definition.IndexOf('`');
        return $"{(tick < 0 ? definition : definition[..tick])}<{string.Join(", ", type.GetGenericArguments().Select(Display))}>";
    }

    /// <summary>The type named <paramref name="name"/>, checked for a slot declared as <paramref name="declared"/>.</summary>
    /// <exception cref="JsonException">The name is malformed, names a type this side will not build, or one not assignable to <paramref name="declared"/>.</exception>
    [RequiresUnreferencedCode("Types are looked up by name.")]
    [RequiresDynamicCode("Generic types are closed at run time.")]
    public Type Resolve(string name, Type declared)
    {
        bool exception = typeof(Exception).IsAssignableFrom(declared);
        string key = exception ? "!" + name : name;
        if (!_types.TryGetValue(key, out Type? type))
        {
            if (!TypeName.TryParse(name, out TypeName? parsed)) throw new JsonException($"'{name}' is not a type name.");
            type = Resolve(parsed, loadedOnly: exception);
            _types.TryAdd(key, type);
        }
        if (!declared.IsAssignableFrom(type))
        {
            throw new JsonException($"The peer sent a {type.FullName} where a {declared.FullName} was declared; it was not built.");
        }
        if (RefusedTypes.Why(type) is { } reason) throw new JsonException($"The peer sent a {type.FullName}, which is {reason}; it was not built.");
        if (type.IsAbstract || type.IsInterface) throw new JsonException($"The peer sent the abstract type {type.FullName}; it was not built.");
        return type;
    }

    /// <summary>
    /// Loads the assembly named <paramref name="name"/> from this side's app, or returns null. The
    /// default context finds the app's assemblies (its deps.json) and the framework's only.
    /// </summary>
    protected virtual Assembly? Load(AssemblyName name)
    {
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(name);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
    }

    [RequiresUnreferencedCode("Types are looked up by name.")]
    [RequiresDynamicCode("Generic types are closed at run time.")]
    private Type Resolve(TypeName name, bool loadedOnly)
    {
        if (name.IsArray)
        {
            Type element = Resolve(name.GetElementType(), loadedOnly: false);
            return name.IsSZArray ? element.MakeArrayType() : element.MakeArrayType(name.GetArrayRank());
        }
        if (name.IsConstructedGenericType)
        {
            Type definition = Resolve(name.GetGenericTypeDefinition(), loadedOnly);
            Type[] arguments = name.GetGenericArguments().Select(a => Resolve(a, loadedOnly: false)).ToArray();
            return definition.MakeGenericType(arguments);
        }
        if (name.IsPointer || name.IsByRef) throw new JsonException($"'{name.FullName}' is a pointer; it was not built.");
        AssemblyName? assemblyName = name.AssemblyName?.ToAssemblyName();
        if (assemblyName is null) throw new JsonException($"'{name.FullName}' names no assembly.");
        Assembly? assembly = loadedOnly ? FindLoaded(assemblyName) : Load(assemblyName);
        if (assembly is null)
        {
            throw new JsonException(loadedOnly
                ? $"The exception type {name.FullName} is from {assemblyName.Name}, which this process has not loaded; it was not built."
                : $"The type {name.FullName} is from {assemblyName.Name}, which this process cannot load; it was not built.");
        }
        return assembly.GetType(name.FullName, throwOnError: false)
            ?? throw new JsonException($"No type {name.FullName} in {assembly.GetName().Name}.");
    }

    private static Assembly? FindLoaded(AssemblyName name)
    {
        foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!assembly.IsDynamic && AssemblyName.ReferenceMatchesDefinition(name, assembly.GetName())) return assembly;
        }
        return null;
    }

    /// <summary>The name without the assembly of the outermost type: <c>Ns.Outer+Inner</c>, <c>Ns.List`1[[Ns.Dog, App]]</c>, <c>Ns.Dog[,]</c>.</summary>
    private static string FullName(Type type)
    {
        if (type.IsArray)
        {
            string rank = type.IsSZArray ? "[]" : type.GetArrayRank() == 1 ? "[*]" : $"[{new string(',', type.GetArrayRank() - 1)}]";
            return FullName(type.GetElementType()!) + rank;
        }
        if (type.IsConstructedGenericType)
        {
            string arguments = string.Join(",", type.GetGenericArguments().Select(a => $"[{NameOf(a)}]"));
            return $"{type.GetGenericTypeDefinition().FullName}[{arguments}]";
        }
        return type.FullName ?? throw new ArgumentException($"{type} has no name another process can find.");
    }

    private static Assembly AssemblyOf(Type type) =>
        type.IsArray ? AssemblyOf(type.GetElementType()!)
        : type.IsConstructedGenericType ? type.GetGenericTypeDefinition().Assembly
        : type.Assembly;
}
