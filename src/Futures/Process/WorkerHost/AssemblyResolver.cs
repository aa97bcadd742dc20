using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool.WorkerHost;

/// <summary>Finds, in a worker, the types and methods that the parent names, and caches them.</summary>
/// <remarks>
/// The worker runs on the app's deps.json, so <see cref="Assembly.Load(AssemblyName)"/> finds the
/// app's assemblies and their packages. An assembly outside that graph (one the app loaded from a
/// path) is found by the location the parent sent, and its dependencies beside it.
/// Used by the worker's main loop only (one thread), so the caches need no lock.
/// </remarks>
[RequiresUnreferencedCode("A worker finds the methods and types its parent names by reflection.")]
[RequiresDynamicCode("A worker closes generic methods and types over the arguments its parent names.")]
internal sealed class AssemblyResolver
{
    /// <summary>Resolved types by assembly-qualified name.</summary>
    private readonly Dictionary<string, Type> _types = new(StringComparer.Ordinal);

    /// <summary>Resolved methods and their targets by <see cref="MethodRef.CacheKey"/>.</summary>
    private readonly Dictionary<string, (MethodInfo Method, object? Target)> _methods = new(StringComparer.Ordinal);

    /// <summary>Assembly locations sent by the parent, by simple name, e.g. <c>{"Plugin": "/opt/app/plugins/Plugin.dll"}</c>. Shared with the Resolving handler.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _locations = new(StringComparer.OrdinalIgnoreCase);

    public AssemblyResolver() => AssemblyLoadContext.Default.Resolving += OnResolving;

    /// <summary>The type named <paramref name="assemblyQualifiedName"/>.</summary>
    /// <exception cref="TypeLoadException">No such type here.</exception>
    public Type ResolveType(string assemblyQualifiedName)
    {
        if (_types.TryGetValue(assemblyQualifiedName, out Type? type)) return type;
        type = Type.GetType(assemblyQualifiedName, throwOnError: true)!;
        _types.Add(assemblyQualifiedName, type);
        return type;
    }

    /// <summary>The method named by <paramref name="method"/>, and the object to call it on (null for a static method).</summary>
    /// <exception cref="InvalidOperationException">The worker loaded a different build of the assembly.</exception>
    public (MethodInfo Method, object? Target) ResolveMethod(MethodRef method)
    {
        string key = method.CacheKey;
        if (_methods.TryGetValue(key, out var resolved)) return resolved;
        resolved = ResolveUncached(method);
        _methods.Add(key, resolved);
        return resolved;
    }

    private (MethodInfo, object?) ResolveUncached(MethodRef r)
    {
        if (r.MetadataToken == 0) return Close(FindByName(r), r, ResolveType); // a Native AOT parent: the same executable as this worker
        var assemblyName = new AssemblyName(r.AssemblyName);
        if (r.AssemblyLocation.Length > 0 && assemblyName.Name is { } simple) _locations.TryAdd(simple, r.AssemblyLocation);
        Assembly assembly = AssemblyLoadContext.Default.LoadFromAssemblyName(assemblyName);
        Module? module = assembly.GetModules().FirstOrDefault(m => m.ModuleVersionId == r.ModuleVersionId);
        if (module is null)
        {
            throw new InvalidOperationException(
                $"The worker loaded a different build of {assembly.FullName} from '{RunningApp.LocationOf(assembly)}' " +
                $"(module version {assembly.ManifestModule.ModuleVersionId}, expected {r.ModuleVersionId}); " +
                $"{r.DisplayName} was not run.");
        }
        return ResolveIn(module, r, ResolveType);
    }

    /// <summary>
    /// The method <paramref name="r"/> names in <paramref name="module"/>, closed over its type
    /// arguments, and the instance to call it on. Shared with the Orleans node's resolver.
    /// </summary>
    internal static (MethodInfo Method, object? Target) ResolveIn(Module module, MethodRef r, Func<string, Type> resolveType) =>
        Close((MethodInfo)(module.ResolveMethod(r.MetadataToken)
            ?? throw new MissingMethodException($"No method with token 0x{r.MetadataToken:x8} in {module.Assembly.FullName}.")), r, resolveType);

    /// <summary>The method definition <paramref name="r"/> names by its declaring type and signature (a Native AOT app has no tokens).</summary>
    private MethodInfo FindByName(MethodRef r)
    {
        Type declaring = ResolveType(r.DeclaringType);
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        return declaring.GetMethods(All).FirstOrDefault(m => m.ToString() == r.Signature)
            ?? throw new MissingMethodException($"No method {r.Signature} in {declaring.FullName}; {r.DisplayName} was not run.");
    }

    /// <summary>The method definition <paramref name="definition"/> closed over <paramref name="r"/>'s generic arguments, and the instance a lambda that captures nothing runs on.</summary>
    private static (MethodInfo Method, object? Target) Close(MethodInfo definition, MethodRef r, Func<string, Type> resolveType)
    {
        MethodInfo method = definition;
        if (r.TypeArguments.Length > 0)
        {
            Type closed = method.DeclaringType!.MakeGenericType(r.TypeArguments.Select(resolveType).ToArray());
            method = (MethodInfo)MethodBase.GetMethodFromHandle(method.MethodHandle, closed.TypeHandle)!;
        }
        if (r.MethodArguments.Length > 0) method = method.MakeGenericMethod(r.MethodArguments.Select(resolveType).ToArray());
        return (method, method.IsStatic ? null : TargetOf(method.DeclaringType!));
    }

    /// <summary>
    /// The instance that a non-capturing lambda is called on: the compiler's <c>&lt;&gt;c</c>
    /// singleton (its static field <c>&lt;&gt;9</c>), or a fresh instance of a field-less class.
    /// </summary>
    private static object TargetOf(Type type)
    {
        FieldInfo? singleton = type.GetField("<>9", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
        if (singleton?.GetValue(null) is { } instance) return instance;
        return RuntimeHelpers.GetUninitializedObject(type);
    }

    /// <summary>Last-chance load: an assembly the parent named by location, or a dependency beside one.</summary>
    private Assembly? OnResolving(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name is null) return null;
        if (_locations.TryGetValue(name.Name, out string? path) && File.Exists(path)) return context.LoadFromAssemblyPath(path);
        foreach (string known in _locations.Values)
        {
            string candidate = Path.Combine(Path.GetDirectoryName(known) ?? "", name.Name + ".dll");
            if (File.Exists(candidate)) return context.LoadFromAssemblyPath(candidate);
        }
        return null;
    }
}
