namespace Futures;

/// <summary>A worker process died or its initializer failed, so the process pool is not usable anymore (Python's <c>BrokenProcessPool</c>).</summary>
public class BrokenProcessPoolException : BrokenExecutorException
{
    /// <summary>Creates the exception with a default message.</summary>
    public BrokenProcessPoolException() { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public BrokenProcessPoolException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public BrokenProcessPoolException(string message, Exception innerException) : base(message, innerException) { }
}
