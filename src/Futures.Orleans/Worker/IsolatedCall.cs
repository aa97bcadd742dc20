using Futures.ProcessPool.Protocol;
using Futures.ProcessPool.WorkerHost;

namespace Futures.Orleans.Worker;

/// <summary>What a node's process pool runs when <see cref="FuturesWorkerOptions.IsolateInProcesses"/> is on: one encoded call, in the child.</summary>
internal static class IsolatedCall
{
    /// <summary>The environment variable by which a node hands its probe folders to its child processes.</summary>
    public const string ProbeFoldersVariable = "FUTURES_ORLEANS_PROBE_FOLDERS";

    /// <summary>The child's resolver, made on its first call.</summary>
    private static readonly Lazy<TaskCodeResolver> s_resolver = new(() => new TaskCodeResolver(
        (Environment.GetEnvironmentVariable(ProbeFoldersVariable) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries),
        $"pid {Environment.ProcessId}"));

    /// <summary>Decodes, runs and encodes one call, with the child's resolver.</summary>
    /// <param name="call">An encoded <see cref="CallItem"/>.</param>
    /// <returns>The encoded <see cref="ResultItem"/>.</returns>
    public static byte[] Run(byte[] call)
    {
        TaskCodeResolver resolver = s_resolver.Value;
        return WorkerLoop.Execute(CallItem.Decode(call), resolver.ResolveMethod, resolver.ResolveType).Encode();
    }
}
