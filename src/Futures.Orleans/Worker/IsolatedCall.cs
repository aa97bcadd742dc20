using Futures.ProcessPool.Protocol;
using Futures.ProcessPool.WorkerHost;

namespace Futures.Orleans.Worker;

/// <summary>What a node's process pool runs when <see cref="FuturesWorkerOptions.IsolateInProcesses"/> is on: one encoded call, in the child.</summary>
/// <remarks>
/// The child finds the task's code as the node does, by MVID: among its own deps, in the node's probe
/// folders, and in the closures uploaded to the node, which the node saves to <see cref="UploadFolder"/>
/// (one sub-folder per MVID) before it queues a call that needs one. Both folders reach the child
/// through the environment, which the process pool's children inherit.
/// </remarks>
internal static class IsolatedCall
{
    /// <summary>The environment variable by which a node hands its probe folders to its child processes.</summary>
    public const string ProbeFoldersVariable = "FUTURES_ORLEANS_PROBE_FOLDERS";

    /// <summary>The environment variable by which a node hands its folder of saved uploads to its child processes.</summary>
    public const string UploadFolderVariable = "FUTURES_ORLEANS_UPLOADS";

    /// <summary>Prefix of the saved-uploads folders in the temp folder, one per node process: <c>futures-uploads-{pid}</c>.</summary>
    private const string UploadFolderPrefix = "futures-uploads-";

    /// <summary>This process's folder of saved uploads, made (and announced to children) on first use.</summary>
    /// <remarks>Per process, not per silo: closures are keyed by MVID, so silos in one process (a test cluster) share it.</remarks>
    private static readonly Lazy<string> s_uploadFolder = new(CreateUploadFolder);

    /// <summary>The child's resolver, made on its first call.</summary>
    private static readonly Lazy<TaskCodeResolver> s_resolver = new(() => new TaskCodeResolver(
        (Environment.GetEnvironmentVariable(ProbeFoldersVariable) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries),
        $"pid {Environment.ProcessId}",
        Environment.GetEnvironmentVariable(UploadFolderVariable)));

    /// <summary>The node process's folder of saved uploads, e.g. <c>/tmp/futures-uploads-4242</c>.</summary>
    public static string UploadFolder => s_uploadFolder.Value;

    /// <summary>Decodes, runs and encodes one call, with the child's resolver.</summary>
    /// <param name="call">An encoded <see cref="CallItem"/>.</param>
    /// <returns>The encoded <see cref="ResultItem"/>.</returns>
    public static byte[] Run(byte[] call)
    {
        TaskCodeResolver resolver = s_resolver.Value;
        return WorkerLoop.Execute(CallItem.Decode(call), resolver.ResolveMethod, resolver.ResolveType).Encode();
    }

    /// <summary>Saves an uploaded closure where the children look for it: <c>{UploadFolder}/{mvid:N}/{name}.dll</c>, the folder appearing whole or not at all.</summary>
    public static void Save(Guid moduleVersionId, IReadOnlyList<string> names, IReadOnlyList<byte[]> images)
    {
        string target = Path.Combine(UploadFolder, moduleVersionId.ToString("N"));
        if (Directory.Exists(target)) return;
        string staging = $"{target}.{Guid.NewGuid():N}.tmp";
        Directory.CreateDirectory(staging);
        for (int i = 0; i < names.Count; i++) File.WriteAllBytes(Path.Combine(staging, names[i] + ".dll"), images[i]);
        try
        {
            Directory.Move(staging, target);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            // Another silo of this process saved the same closure first.
            Directory.Delete(staging, recursive: true);
        }
    }

    private static string CreateUploadFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), UploadFolderPrefix + Environment.ProcessId);
        DeleteStaleUploadFolders();
        Directory.CreateDirectory(folder);
        Environment.SetEnvironmentVariable(UploadFolderVariable, folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(folder);
        return folder;
    }

    /// <summary>Deletes the folders of node processes that are gone (a killed node cannot clean up after itself).</summary>
    private static void DeleteStaleUploadFolders()
    {
        foreach (string folder in Directory.EnumerateDirectories(Path.GetTempPath(), UploadFolderPrefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(folder).AsSpan(UploadFolderPrefix.Length), out int pid) && pid != Environment.ProcessId && !IsAlive(pid)) TryDelete(folder);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // In use or gone already: the next node's start tries again.
        }
    }
}
