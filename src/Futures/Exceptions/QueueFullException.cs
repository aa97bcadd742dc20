namespace Futures;

/// <summary>A bounded work queue was full and the executor was created with <see cref="QueueFullMode.Throw"/>.</summary>
public class QueueFullException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public QueueFullException() { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public QueueFullException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public QueueFullException(string message, Exception innerException) : base(message, innerException) { }
}
