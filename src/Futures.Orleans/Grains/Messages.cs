using Orleans;

namespace Futures.Orleans.Grains;

/// <summary>Where a task runs: the silo (as Orleans names it), its name and its process id.</summary>
/// <param name="Silo">The silo address, <c>SiloAddress.ToParsableString()</c>, e.g. <c>127.0.0.1:11111@123456</c>.</param>
/// <param name="Name">The silo's name.</param>
/// <param name="ProcessId">The worker node's process id.</param>
[GenerateSerializer, Immutable]
internal sealed record NodeInfo([property: Id(0)] string Silo, [property: Id(1)] string Name, [property: Id(2)] int ProcessId)
{
    /// <summary>How a message names the node.</summary>
    public override string ToString() => $"{Name} ({Silo}, pid {ProcessId})";
}

/// <summary>A call as it travels to a task grain.</summary>
/// <param name="Call">The process pool's <c>CallItem</c>, encoded: the same wire format as a worker pipe.</param>
/// <param name="Timeout">How long the call may run once started; null for no limit.</param>
/// <param name="ExecutorName">The submitting executor's name, for the node-side activity's tags.</param>
/// <param name="TraceParent">The submitter's W3C <c>traceparent</c> (its <c>Activity.Current.Id</c>), e.g. <c>00-4bf9...-00f0...-01</c>; null when it had no W3C activity.</param>
/// <param name="TraceState">The submitter's W3C <c>tracestate</c>; null when empty.</param>
[GenerateSerializer, Immutable]
internal sealed record TaskSubmission(
    [property: Id(0)] byte[] Call,
    [property: Id(1)] TimeSpan? Timeout,
    [property: Id(2)] string ExecutorName,
    [property: Id(3)] string? TraceParent,
    [property: Id(4)] string? TraceState);

/// <summary>What a task grain knows about its task.</summary>
internal enum RemoteTaskState
{
    /// <summary>This activation never received the task: its first activation's silo died. The task is lost.</summary>
    Unknown = 0,

    /// <summary>Waiting for a thread (or process) of the node's local executor.</summary>
    Queued = 1,

    /// <summary>Running on the node.</summary>
    Running = 2,

    /// <summary>Finished: <see cref="TaskPoll.Result"/> holds the outcome.</summary>
    Done = 3,

    /// <summary>The node lacks the task's assembly: upload it (see <see cref="TaskPoll.Missing"/>).</summary>
    NeedsAssembly = 4,
}

/// <summary>The answer to a poll.</summary>
/// <param name="State">The task's state.</param>
/// <param name="Result">When <see cref="RemoteTaskState.Done"/>: the process pool's <c>ResultItem</c>, encoded.</param>
/// <param name="Missing">When <see cref="RemoteTaskState.NeedsAssembly"/>: what the node lacks and what it has.</param>
[GenerateSerializer, Immutable]
internal sealed record TaskPoll([property: Id(0)] RemoteTaskState State, [property: Id(1)] byte[]? Result, [property: Id(2)] MissingAssembly? Missing)
{
    public static readonly TaskPoll Unknown = new(RemoteTaskState.Unknown, null, null);
    public static readonly TaskPoll Queued = new(RemoteTaskState.Queued, null, null);
    public static readonly TaskPoll Running = new(RemoteTaskState.Running, null, null);
}

/// <summary>An assembly a node could not find, and the assemblies it can load by itself.</summary>
/// <param name="AssemblyName">The full name of the task's assembly.</param>
/// <param name="ModuleVersionId">Its MVID, the key of the upload.</param>
/// <param name="NodeHas">Simple names the node loads from its own deps (framework, Futures, Orleans...): the client leaves these out.</param>
[GenerateSerializer, Immutable]
internal sealed record MissingAssembly([property: Id(0)] string AssemblyName, [property: Id(1)] Guid ModuleVersionId, [property: Id(2)] string[] NodeHas);

/// <summary>A task's assembly and its dependency closure, sent once per node and keyed by the task assembly's MVID.</summary>
/// <param name="ModuleVersionId">The MVID of the task's assembly.</param>
/// <param name="Names">The assemblies' simple names, the task's assembly first.</param>
/// <param name="Images">Their files' bytes, in the same order.</param>
[GenerateSerializer, Immutable]
internal sealed record AssemblyUpload([property: Id(0)] Guid ModuleVersionId, [property: Id(1)] string[] Names, [property: Id(2)] byte[][] Images);
