namespace Futures;

/// <summary>A future was completed twice, or completed after it was cancelled (Python's <c>InvalidStateError</c>).</summary>
public class InvalidStateException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public InvalidStateException() { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public InvalidStateException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public InvalidStateException(string message, Exception innerException) : base(message, innerException) { }
}
