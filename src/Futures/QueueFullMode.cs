namespace Futures;

/// <summary>What <c>Submit</c> does when an executor's bounded work queue is full.</summary>
public enum QueueFullMode
{
    /// <summary><c>Submit</c> blocks (and <c>SubmitAsync</c> awaits) until there is room.</summary>
    Wait,

    /// <summary><c>Submit</c> throws <see cref="QueueFullException"/>.</summary>
    Throw,

    /// <summary><c>Submit</c> runs the work on the submitting thread and returns its finished future.</summary>
    CallerRuns,
}
