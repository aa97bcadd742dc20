namespace Futures;

/// <summary>The states of a <see cref="Future"/>, as in CPython's <c>_base.py</c>.</summary>
public enum FutureState
{
    /// <summary>Submitted, not yet started; <see cref="Future.Cancel"/> still succeeds.</summary>
    Pending,

    /// <summary>Started by a worker; it can no longer be cancelled.</summary>
    Running,

    /// <summary>Cancelled before it started; the executor has not yet seen the cancellation.</summary>
    Cancelled,

    /// <summary>Cancelled, and the executor has acknowledged it through <see cref="Future.SetRunningOrNotifyCancel"/>.</summary>
    CancelledAndNotified,

    /// <summary>Completed with a result or an exception.</summary>
    Finished,
}
