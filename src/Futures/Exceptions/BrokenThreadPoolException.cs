namespace Futures;

/// <summary>A worker thread's initializer failed, so the thread pool is not usable anymore (Python's <c>BrokenThreadPool</c>).</summary>
public class BrokenThreadPoolException : BrokenExecutorException
{
    /// <summary>Creates the exception with a default message.</summary>
    public BrokenThreadPoolException() { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public BrokenThreadPoolException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public BrokenThreadPoolException(string message, Exception innerException) : base(message, innerException) { }
}
