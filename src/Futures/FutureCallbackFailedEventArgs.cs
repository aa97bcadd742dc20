namespace Futures;

/// <summary>Describes a done-callback that threw; raised through <see cref="Future.CallbackFailed"/>.</summary>
public sealed class FutureCallbackFailedEventArgs : EventArgs
{
    internal FutureCallbackFailedEventArgs(Future future, Exception exception)
    {
        Future = future;
        Exception = exception;
    }

    /// <summary>The future whose callback threw.</summary>
    public Future Future { get; }

    /// <summary>What the callback threw.</summary>
    public Exception Exception { get; }
}
