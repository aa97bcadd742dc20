namespace Futures.Orleans;

/// <summary>How a silo runs tasks as a Futures worker node (see <see cref="FuturesSiloBuilderExtensions.AddFuturesWorker"/>).</summary>
public sealed class FuturesWorkerOptions
{
    /// <summary>Tasks this node runs at once: the size of its local executor. Default <see cref="Environment.ProcessorCount"/>.</summary>
    public int MaxConcurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>Run each task in a child process of a local <see cref="ProcessPoolExecutor"/> instead of on a thread of the silo's process.</summary>
    /// <remarks>Isolates the silo from tasks that crash or leak; costs a process round trip per task.</remarks>
    public bool IsolateInProcesses { get; set; }

    /// <summary>Folders the node loads task assemblies from (with their dependencies), before asking the client to upload them.</summary>
    /// <remarks>Set by the <c>Futures.Orleans.Worker</c> tool's <c>--probe</c> flag.</remarks>
    internal List<string> ProbeFolders { get; } = [];
}
