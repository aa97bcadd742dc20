namespace Futures.Codec;

/// <summary>
/// Thrown inside the codec when a value cannot cross to another process; the codec's entry points
/// turn it into the <see cref="ArgumentException"/> users see, naming the type and where it sits.
/// </summary>
/// <remarks>
/// The place is the path the session was writing when the value was met
/// (<see cref="CodecSession.PathHere"/>), e.g. <c>.Owner.Pets[2].Callback</c>. A
/// <see cref="NotSupportedException"/>, as System.Text.Json's own "this type cannot be
/// serialized" errors are.
/// </remarks>
internal sealed class CannotCrossException : NotSupportedException
{
    public CannotCrossException(Type type, string reason)
        : base($"{CodecTypeResolver.Display(type)} cannot cross to another process: it is {reason}.")
    {
        Type = type;
        Reason = reason;
        Path = CodecSession.CurrentOrNull?.PathHere() ?? "";
    }

    /// <summary>The type that cannot cross.</summary>
    public Type Type { get; }

    /// <summary>Why, as a noun phrase ("a delegate (code)").</summary>
    public string Reason { get; }

    /// <summary>Where the value sits below the value being encoded, e.g. <c>.Owner.Pet</c>; empty at its root.</summary>
    public string Path { get; }

    /// <summary>The <see cref="CannotCrossException"/> behind <paramref name="e"/>, if that is what <paramref name="e"/> is.</summary>
    public static bool TryUnwrap(Exception e, out CannotCrossException refusal)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is CannotCrossException found)
            {
                refusal = found;
                return true;
            }
        }
        refusal = null!;
        return false;
    }

    /// <summary>The user-facing error: <c>ArgumentException</c> naming the type and its place, e.g. "at arg1.Owner.Pet".</summary>
    /// <param name="slot">The value's name, e.g. <c>arg1</c>, <c>the result</c>.</param>
    /// <param name="paramName">For <see cref="ArgumentException.ParamName"/>; null for a result.</param>
    public ArgumentException ToArgumentException(string slot, string? paramName) =>
        new($"{Message} It sits at {slot}{Path}. Delegates, tasks, threads, handles and pointers stay in the process that made them: pass the data they work on instead.", paramName);
}
