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

/// <summary>One call in a <see cref="CallBatch"/>.</summary>
/// <param name="Id">The call's number on its link (1, 2, ...), which its updates carry back.</param>
/// <param name="Call">The process pool's <c>CallItem</c>, encoded: the same wire format as a worker pipe, opaque here.</param>
/// <param name="TraceParent">The submitter's W3C <c>traceparent</c> (its <c>Activity.Current.Id</c>), e.g. <c>00-4bf9...-00f0...-01</c>; null when it had no W3C activity.</param>
/// <param name="TraceState">The submitter's W3C <c>tracestate</c>; null when empty.</param>
[GenerateSerializer, Immutable]
internal sealed record CallEnvelope(
    [property: Id(0)] long Id,
    [property: Id(1)] byte[] Call,
    [property: Id(2)] string? TraceParent,
    [property: Id(3)] string? TraceState);

/// <summary>Calls that a link sends to its node at once, with what they share.</summary>
/// <param name="Calls">The calls, in the order submitted (ids rising).</param>
/// <param name="Timeout">How long each call may run once started; null for no limit.</param>
/// <param name="ExecutorName">The submitting executor's name, for the node-side activities' tags.</param>
/// <param name="Ack">The sequence number of the last update the link has received (see <see cref="UpdateBatch.Seq"/>).</param>
[GenerateSerializer, Immutable]
internal sealed record CallBatch(
    [property: Id(0)] CallEnvelope[] Calls,
    [property: Id(1)] TimeSpan? Timeout,
    [property: Id(2)] string ExecutorName,
    [property: Id(3)] long Ack);

/// <summary>What happened to a call on its node.</summary>
internal enum CallEvent : byte
{
    /// <summary>A thread (or process) of the node's local executor picked the call up.</summary>
    Started = 1,

    /// <summary>Finished: <see cref="CallUpdate.Result"/> holds the process pool's <c>ResultItem</c>, encoded.</summary>
    Done = 2,

    /// <summary>The node lacks the call's assembly: upload it (see <see cref="CallUpdate.Missing"/>), then requeue the call.</summary>
    NeedsAssembly = 3,
}

/// <summary>One change of one call.</summary>
/// <param name="Id">The call's id on its link.</param>
/// <param name="Event">What happened.</param>
/// <param name="Result">When <see cref="CallEvent.Done"/>: the encoded <c>ResultItem</c>, opaque here.</param>
/// <param name="Missing">When <see cref="CallEvent.NeedsAssembly"/>: what the node lacks and what it has.</param>
[GenerateSerializer, Immutable]
internal sealed record CallUpdate([property: Id(0)] long Id, [property: Id(1)] CallEvent Event, [property: Id(2)] byte[]? Result, [property: Id(3)] MissingAssembly? Missing);

/// <summary>The answer to a Submit or a Poll: every update the link has not acknowledged, numbered, and who answered.</summary>
/// <param name="Node">The node whose session answered.</param>
/// <param name="Session">The session's random id: another id than before means the node lost the session (and its calls).</param>
/// <param name="Seq">The sequence number of the last update in <paramref name="Updates"/> (updates are numbered 1, 2, ... per session); the link acknowledges it with its next request.</param>
/// <param name="Updates">The updates after the request's acknowledgement, oldest first; an update may come twice (in two answers), never out of order within one.</param>
[GenerateSerializer, Immutable]
internal sealed record UpdateBatch([property: Id(0)] NodeInfo Node, [property: Id(1)] long Session, [property: Id(2)] long Seq, [property: Id(3)] CallUpdate[] Updates);

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
