namespace Futures;

/// <summary>The executor can no longer run work (Python's <c>BrokenExecutor</c>).</summary>
public class BrokenExecutorException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public BrokenExecutorException() { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public BrokenExecutorException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public BrokenExecutorException(string message, Exception innerException) : base(message, innerException) { }
}
