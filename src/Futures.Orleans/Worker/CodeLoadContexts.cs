using System.Reflection;
using System.Runtime.Loader;

namespace Futures.Orleans.Worker;

/// <summary>What the node's default load context can load by itself: its deps.json graph and the framework.</summary>
internal static class NodeAssemblies
{
    /// <summary>Simple names on the trusted platform assembly list, e.g. <c>{"Futures", "Orleans.Core", "System.Runtime", ...}</c>.</summary>
    public static readonly HashSet<string> Names = LoadNames();

    private static HashSet<string> LoadNames()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
        {
            foreach (string path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }
        }
        foreach (Assembly loaded in AssemblyLoadContext.Default.Assemblies)
        {
            if (loaded.GetName().Name is { } name) names.Add(name);
        }
        return names;
    }

    /// <summary>Whether the default context should load <paramref name="name"/>, so that types like <c>Future</c> are shared, not duplicated.</summary>
    public static bool LoadsByItself(AssemblyName name) => name.Name is { } simple && Names.Contains(simple);
}

/// <summary>Loads task assemblies from one probe folder; what the node has itself comes from the default context.</summary>
internal sealed class ProbeLoadContext(string folder) : AssemblyLoadContext($"Futures probe {folder}")
{
    /// <summary>The folder, e.g. <c>/opt/tasks</c>.</summary>
    public string Folder { get; } = folder;

    /// <inheritdoc/>
    protected override Assembly? Load(AssemblyName name)
    {
        if (NodeAssemblies.LoadsByItself(name)) return null;
        string path = Path.Combine(Folder, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}

/// <summary>A collectible context holding one uploaded closure (the task's assembly and its dependencies), keyed by the task assembly's MVID.</summary>
internal sealed class UploadLoadContext : AssemblyLoadContext
{
    /// <summary>Images by simple name, e.g. <c>{"MyApp": [...], "MyApp.Model": [...]}</c>.</summary>
    private readonly Dictionary<string, byte[]> _images;

    public UploadLoadContext(Guid moduleVersionId, IReadOnlyList<string> names, IReadOnlyList<byte[]> images)
        : base($"Futures upload {moduleVersionId:N}", isCollectible: true)
    {
        _images = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < names.Count; i++) _images[names[i]] = images[i];
        Root = LoadFromStream(new MemoryStream(images[0]));
    }

    /// <summary>The task's assembly.</summary>
    public Assembly Root { get; }

    /// <inheritdoc/>
    protected override Assembly? Load(AssemblyName name)
    {
        if (NodeAssemblies.LoadsByItself(name)) return null;
        return name.Name is { } simple && _images.TryGetValue(simple, out byte[]? image) ? LoadFromStream(new MemoryStream(image)) : null;
    }
}
