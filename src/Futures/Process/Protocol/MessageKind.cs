namespace Futures.ProcessPool.Protocol;

/// <summary>What a <see cref="Frame"/> carries. One byte on the wire.</summary>
/// <remarks>
/// Parent → worker: <see cref="Init"/> once, then <see cref="Call"/>s, then <see cref="Shutdown"/>.
/// Worker → parent: <see cref="Ready"/> (or <see cref="InitFailed"/>) once, then one
/// <see cref="Result"/> per call, in the order the calls were sent, and <see cref="Exiting"/> when it exits.
/// </remarks>
internal enum MessageKind : byte
{
    /// <summary>Parent → worker: the initializer to run first (an <see cref="InitItem"/>).</summary>
    Init = 1,

    /// <summary>Parent → worker: one call (a <see cref="CallItem"/>).</summary>
    Call = 2,

    /// <summary>Parent → worker: finish the current call, then exit with code 0. No payload.</summary>
    Shutdown = 3,

    /// <summary>
    /// Either way: a <c>byte[]</c> argument (before its <see cref="Call"/>) or result (before its
    /// <see cref="Result"/>), the payload being the bytes themselves: no base64, and the reader's frame
    /// buffer is the array handed on. Only for calls whose <see cref="CallItem.Blobs"/> is set.
    /// </summary>
    Blob = 4,

    /// <summary>Worker → parent: the initializer ran; the payload is the worker's pid (int32).</summary>
    Ready = 10,

    /// <summary>Worker → parent: the initializer threw (an <see cref="ExceptionInfo"/>); the worker exits next.</summary>
    InitFailed = 11,

    /// <summary>Worker → parent: the outcome of one call (a <see cref="ResultItem"/>).</summary>
    Result = 12,

    /// <summary>Worker → parent: the call with this id (int64) is starting, sent only when <see cref="InitItem.ReportStarts"/>.</summary>
    Started = 13,

    /// <summary>
    /// Worker → parent, last: the exit code the worker is leaving with (int32), from its ProcessExit handler.
    /// Without it an exit code above 128 is a signal (or a host that failed before the worker ran).
    /// </summary>
    Exiting = 14,
}
