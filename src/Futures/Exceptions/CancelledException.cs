namespace Futures;

/// <summary>The future was cancelled (Python's <c>CancelledError</c>): thrown by <see cref="Future.Result"/> and <see cref="Future.Exception"/>.</summary>
public class CancelledException : OperationCanceledException
{
    /// <summary>Creates the exception with a default message.</summary>
    public CancelledException() { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public CancelledException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public CancelledException(string message, Exception innerException) : base(message, innerException) { }
}
