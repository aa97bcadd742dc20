using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Futures.ProcessPool.Protocol;

namespace Futures.Orleans.Worker;

/// <summary>Thrown when a node has no build at all of a task's assembly: the executor then uploads it.</summary>
internal sealed class MissingTaskAssemblyException(string assemblyName, Guid moduleVersionId)
    : Exception($"The worker node has no copy of {assemblyName} (module version {moduleVersionId}).")
{
    public string AssemblyName { get; } = assemblyName;

    public Guid ModuleVersionId { get; } = moduleVersionId;
}

/// <summary>
/// Finds, on a worker node, the methods and types that a client names: by the module's MVID among
/// the assemblies already loaded, the uploaded closures, the probe folders and the node's own deps.
/// </summary>
/// <remarks>
/// The process pool's resolver trusts the app's deps.json and the client's file paths; a node on
/// another machine has neither, so this one goes by MVID. A node holding a different build fails
/// the call, naming both versions, rather than run other code; a node holding no build asks for
/// an upload. Called from the node's executor threads at once: caches are concurrent, and
/// loading is serialized by <see cref="_loadLock"/> (the only lock; nothing else is called under it).
/// </remarks>
internal sealed class TaskCodeResolver
{
    private readonly IReadOnlyList<ProbeLoadContext> _probes;

    /// <summary>Resolved methods and their targets by <see cref="MethodRef.CacheKey"/>.</summary>
    private readonly ConcurrentDictionary<string, (MethodInfo Method, object? Target)> _methods = new(StringComparer.Ordinal);

    /// <summary>Resolved types by assembly-qualified name.</summary>
    private readonly ConcurrentDictionary<string, Type> _types = new(StringComparer.Ordinal);

    /// <summary>Task assemblies found, by MVID, e.g. <c>{3f2a...: MyApp}</c>; the load context of each is where its types' names resolve.</summary>
    private readonly ConcurrentDictionary<Guid, Assembly> _byMvid = new();

    /// <summary>Uploaded closures by the task assembly's MVID. Written under <see cref="_loadLock"/>.</summary>
    private readonly ConcurrentDictionary<Guid, UploadLoadContext> _uploads = new();

    private readonly object _loadLock = new();

    /// <summary>Where a node saved its uploads for its child processes (<c>{folder}/{mvid:N}/{name}.dll</c>); null on the node itself.</summary>
    private readonly string? _savedUploads;

    /// <summary>Makes a resolver.</summary>
    /// <param name="probeFolders">Folders to load task assemblies from.</param>
    /// <param name="nodeName">Names the node in messages.</param>
    /// <param name="savedUploads">In a child process of an isolating node: the node's folder of saved uploads (see <see cref="IsolatedCall.Save"/>).</param>
    public TaskCodeResolver(IEnumerable<string> probeFolders, string nodeName, string? savedUploads = null)
    {
        _probes = probeFolders.Where(Directory.Exists).Select(f => new ProbeLoadContext(Path.GetFullPath(f))).ToArray();
        NodeName = nodeName;
        _savedUploads = savedUploads;
    }

    /// <summary>Names the node in messages.</summary>
    public string NodeName { get; set; }

    /// <summary>The method named by <paramref name="r"/> and its target (null when static).</summary>
    /// <exception cref="MissingTaskAssemblyException">The node has no build of the assembly.</exception>
    /// <exception cref="InvalidOperationException">The node has a different build of the assembly.</exception>
    public (MethodInfo Method, object? Target) ResolveMethod(MethodRef r)
    {
        if (_methods.TryGetValue(r.CacheKey, out var resolved)) return resolved;
        Assembly assembly = FindAssembly(r);
        Module module = assembly.GetModules().First(m => m.ModuleVersionId == r.ModuleVersionId);
        return _methods.GetOrAdd(r.CacheKey, Futures.ProcessPool.WorkerHost.AssemblyResolver.ResolveIn(module, r, ResolveType));
    }

    /// <summary>The type named <paramref name="assemblyQualifiedName"/>: task assemblies first, then the node's own.</summary>
    public Type ResolveType(string assemblyQualifiedName) =>
        _types.GetOrAdd(assemblyQualifiedName, name => Type.GetType(name, ResolveAssembly, typeResolver: null, throwOnError: true)!);

    /// <summary>Adds an uploaded closure; a second upload of the same MVID is ignored.</summary>
    public void AddUpload(Guid moduleVersionId, IReadOnlyList<string> names, IReadOnlyList<byte[]> images)
    {
        lock (_loadLock) AddUpload_NeedsLock(moduleVersionId, names, images);
    }

    private void AddUpload_NeedsLock(Guid moduleVersionId, IReadOnlyList<string> names, IReadOnlyList<byte[]> images)
    {
        System.Diagnostics.Debug.Assert(Monitor.IsEntered(_loadLock));
        if (_uploads.ContainsKey(moduleVersionId)) return;
        var context = new UploadLoadContext(moduleVersionId, names, images);
        if (context.Root.ManifestModule.ModuleVersionId != moduleVersionId)
        {
            context.Unload();
            throw new InvalidDataException($"The upload for module version {moduleVersionId} holds {context.Root.FullName} with module version {context.Root.ManifestModule.ModuleVersionId}.");
        }
        _uploads[moduleVersionId] = context;
    }

    private Assembly? ResolveAssembly(AssemblyName name)
    {
        foreach (Assembly task in _byMvid.Values)
        {
            if (AssemblyName.ReferenceMatchesDefinition(name, task.GetName())) return task;
        }
        foreach (Assembly task in _byMvid.Values)
        {
            AssemblyLoadContext? context = AssemblyLoadContext.GetLoadContext(task);
            if (context is null || context == AssemblyLoadContext.Default) continue;
            try
            {
                return context.LoadFromAssemblyName(name);
            }
            catch (FileNotFoundException)
            {
                // Not beside this task assembly; try the next, then the default context.
            }
        }
        return AssemblyLoadContext.Default.LoadFromAssemblyName(name);
    }

    private Assembly FindAssembly(MethodRef r)
    {
        if (_byMvid.TryGetValue(r.ModuleVersionId, out Assembly? known)) return known;
        lock (_loadLock)
        {
            if (_byMvid.TryGetValue(r.ModuleVersionId, out known)) return known;
            Assembly found = FindAssembly_NeedsLock(r);
            _byMvid[r.ModuleVersionId] = found;
            return found;
        }
    }

    private Assembly FindAssembly_NeedsLock(MethodRef r)
    {
        System.Diagnostics.Debug.Assert(Monitor.IsEntered(_loadLock));
        Guid mvid = r.ModuleVersionId;
        // 1. Loaded already, in any context (an in-process test cluster, or an earlier call).
        foreach (Assembly loaded in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!loaded.IsDynamic && loaded.ManifestModule.ModuleVersionId == mvid) return loaded;
        }
        // 2. Uploaded by a client.
        if (_uploads.TryGetValue(mvid, out UploadLoadContext? upload)) return upload.Root;

        var name = new AssemblyName(r.AssemblyName);
        // 2b. In a child of an isolating node: uploaded to the node, which saved it for its children.
        if (LoadSavedUpload_NeedsLock(mvid, name) is { } saved) return saved;
        var otherBuilds = new List<string>();
        // 3. A probe folder.
        foreach (ProbeLoadContext probe in _probes)
        {
            string path = Path.Combine(probe.Folder, name.Name + ".dll");
            if (!File.Exists(path)) continue;
            Guid found = ReadMvid(path);
            if (found == mvid) return probe.LoadFromAssemblyPath(path);
            otherBuilds.Add($"module version {found} in '{path}'");
        }
        // 4. The node's own deps.
        if (NodeAssemblies.LoadsByItself(name))
        {
            Assembly own = AssemblyLoadContext.Default.LoadFromAssemblyName(name);
            if (own.ManifestModule.ModuleVersionId == mvid) return own;
            otherBuilds.Add($"module version {own.ManifestModule.ModuleVersionId} in '{own.Location}'");
        }
        if (otherBuilds.Count > 0)
        {
            throw new InvalidOperationException(
                $"The worker node {NodeName} holds a different build of {r.AssemblyName} ({string.Join("; ", otherBuilds)}) " +
                $"than the client's (module version {mvid}); {r.DisplayName} was not run. Deploy the same build to the node, or remove it there so that the client uploads its own.");
        }
        throw new MissingTaskAssemblyException(r.AssemblyName, mvid);
    }

    /// <summary>Loads the closure the node saved for <paramref name="mvid"/>, the task's assembly first; null when there is none.</summary>
    private Assembly? LoadSavedUpload_NeedsLock(Guid mvid, AssemblyName name)
    {
        System.Diagnostics.Debug.Assert(Monitor.IsEntered(_loadLock));
        string folder = Path.Combine(_savedUploads ?? "", mvid.ToString("N"));
        if (_savedUploads is null || !Directory.Exists(folder)) return null;
        string[] files = [.. Directory.GetFiles(folder, "*.dll").OrderBy(f => !string.Equals(Path.GetFileNameWithoutExtension(f), name.Name, StringComparison.OrdinalIgnoreCase))];
        AddUpload_NeedsLock(mvid, [.. files.Select(Path.GetFileNameWithoutExtension)!], [.. files.Select(File.ReadAllBytes)]);
        return _uploads[mvid].Root;
    }

    private static Guid ReadMvid(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        MetadataReader metadata = pe.GetMetadataReader();
        return metadata.GetGuid(metadata.GetModuleDefinition().Mvid);
    }
}
