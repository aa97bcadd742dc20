namespace Futures;

/// <summary>An exception raised in a worker process or on a remote node.</summary>
/// <remarks>
/// When the worker's exception type can be rebuilt in this process, the rebuilt exception is
/// thrown and this one is its <see cref="Exception.InnerException"/>; otherwise this one is
/// thrown. Either way the worker's stack trace is kept here, as text.
/// </remarks>
public class RemoteException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public RemoteException() : this("An exception was raised in a worker.") { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public RemoteException(string message) : this(message, remoteType: "", remoteStackTrace: "") { }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public RemoteException(string message, Exception innerException) : base(message, innerException)
    {
        RemoteType = "";
        RemoteStackTrace = "";
    }

    internal RemoteException(string message, string remoteType, string remoteStackTrace, Exception? innerException = null)
        : base(message, innerException)
    {
        RemoteType = remoteType;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>The full name of the exception's type in the worker.</summary>
    public string RemoteType { get; }

    /// <summary>The worker's stack trace, as text.</summary>
    public string RemoteStackTrace { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        RemoteStackTrace.Length == 0
            ? base.ToString()
            : $"{base.ToString()}{Environment.NewLine}--- Remote stack trace ({RemoteType}) ---{Environment.NewLine}{RemoteStackTrace}";
}
