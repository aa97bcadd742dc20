using System.Collections.Concurrent;
using System.Reflection;
using Futures.Orleans.Grains;

namespace Futures.Orleans.Client;

/// <summary>Sends a task's assembly and its dependency closure to a node that lacks it: once per node and MVID.</summary>
/// <remarks>
/// The first link that finds the code missing on a node sends the images through its grain; the
/// others on that node wait for that upload. Each then requeues its own calls. Assemblies the node
/// loads by itself (framework, Futures, Orleans: it lists them) are left out.
/// </remarks>
internal sealed class AssemblyUploader
{
    /// <summary>Uploads sent or under way, by node and MVID, e.g. <c>{("127.0.0.1:11111@1", 3f2a...): task}</c>; a failed one is removed so that the next task tries again.</summary>
    private readonly ConcurrentDictionary<(string Silo, Guid Mvid), Lazy<Task>> _uploads = new();

    /// <summary>Completes once the node <paramref name="silo"/> has the closure of <paramref name="missing"/>, sent through <paramref name="grain"/> unless another link sent it.</summary>
    public async Task UploadAsync(INodeGrain grain, string silo, MissingAssembly missing)
    {
        var key = (silo, missing.ModuleVersionId);
        var mine = new Lazy<Task>(() => grain.Upload(Closure(missing)));
        Lazy<Task> upload = _uploads.GetOrAdd(key, mine);
        try
        {
            await upload.Value.ConfigureAwait(false);
        }
        catch
        {
            _uploads.TryRemove(new KeyValuePair<(string, Guid), Lazy<Task>>(key, upload));
            throw;
        }
    }

    /// <summary>The task's assembly (loaded here: the client submitted one of its methods) and every dependency the node lacks.</summary>
    private static AssemblyUpload Closure(MissingAssembly missing)
    {
        Assembly root = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => !a.IsDynamic && a.ManifestModule.ModuleVersionId == missing.ModuleVersionId)
            ?? throw new InvalidOperationException($"{missing.AssemblyName} (module version {missing.ModuleVersionId}) is not loaded in the client; it cannot be uploaded.");
        var nodeHas = new HashSet<string>(missing.NodeHas, StringComparer.OrdinalIgnoreCase);
        var names = new List<string>();
        var images = new List<byte[]>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var queue = new Queue<Assembly>([root]);
        seen.Add(root.GetName().Name!);
        while (queue.TryDequeue(out Assembly? assembly))
        {
            if (assembly.Location.Length == 0) throw new InvalidOperationException($"{assembly.FullName} has no file to upload (loaded from bytes).");
            names.Add(assembly.GetName().Name!);
            images.Add(File.ReadAllBytes(assembly.Location));
            foreach (AssemblyName reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is not { } name || nodeHas.Contains(name) || !seen.Add(name)) continue;
                if (Load(reference) is { IsDynamic: false } dependency && dependency.Location.Length > 0) queue.Enqueue(dependency);
            }
        }
        return new AssemblyUpload(missing.ModuleVersionId, names.ToArray(), images.ToArray());
    }

    private static Assembly? Load(AssemblyName name)
    {
        try
        {
            return Assembly.Load(name);
        }
        catch (Exception)
        {
            // A reference the client itself never needed (an optional dependency): the node won't either.
            return null;
        }
    }
}
