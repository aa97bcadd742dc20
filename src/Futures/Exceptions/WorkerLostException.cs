namespace Futures;

/// <summary>The remote node (or worker) that was running a task was lost; the message names it.</summary>
public class WorkerLostException : BrokenExecutorException
{
    /// <summary>Creates the exception with a default message.</summary>
    public WorkerLostException() { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public WorkerLostException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public WorkerLostException(string message, Exception innerException) : base(message, innerException) { }
}
