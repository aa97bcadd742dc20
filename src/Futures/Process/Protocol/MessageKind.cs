namespace Futures.ProcessPool.Protocol;

/// <summary>What a <see cref="Frame"/> carries. One byte on the wire.</summary>
/// <remarks>
/// Parent → worker: <see cref="Init"/> once, then calls (<see cref="Call"/>, or <see cref="CallById"/>
/// after the <see cref="Header"/> it names), then <see cref="Shutdown"/>.
/// Worker → parent: <see cref="Ready"/> (or <see cref="InitFailed"/>) once, then one
/// <see cref="Result"/> per call, in the order the calls were sent, and <see cref="Exiting"/> when it exits.
/// </remarks>
internal enum MessageKind : byte
{
    /// <summary>Parent → worker: the initializer to run first (an <see cref="InitItem"/>).</summary>
    Init = 1,

    /// <summary>Parent → worker: one self-contained call (a <see cref="CallItem"/>).</summary>
    Call = 2,

    /// <summary>Parent → worker: finish the current call, then exit with code 0. No payload.</summary>
    Shutdown = 3,

    /// <summary>
    /// Either way: a blob of the call that follows (or of the result that follows), the payload being
    /// the bytes themselves — a large <c>byte[]</c>, or a primitive array's memory — with no base64;
    /// the reader's frame buffer is the array handed on. The codec's JSON refers to it by its index
    /// among the blobs before the call (<see cref="Codec.BlobList"/>).
    /// </summary>
    Blob = 4,

    /// <summary>Either way: a blob that is a string (a large one), as UTF-8. Otherwise as <see cref="Blob"/>.</summary>
    TextBlob = 5,

    /// <summary>Parent → worker: a <see cref="CallHeader"/> and its id, for the <see cref="CallById"/> frames that follow; sent once per worker and header.</summary>
    Header = 6,

    /// <summary>Parent → worker: one call whose header was sent before: the header's id and a <see cref="CallBody"/>.</summary>
    CallById = 7,

    /// <summary>Worker → parent: the initializer ran; the payload is the worker's pid (int32).</summary>
    Ready = 10,

    /// <summary>Worker → parent: the initializer threw (a failed <see cref="ResultItem"/>, call id 0); the worker exits next.</summary>
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
