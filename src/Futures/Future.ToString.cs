using Futures.Internal;

namespace Futures;

public partial class Future
{
    /// <summary>Describes the future like Python's repr: type, state and, once finished, what it returned or raised.</summary>
    /// <returns>For example <c>Future&lt;Int32&gt;(state=Finished, returned Int32)</c> or <c>Future(state=Finished, raised InvalidOperationException)</c>.</returns>
    public override string ToString()
    {
        string type = TypeNames.Of(GetType());
        FutureState state = State;
        if (state != FutureState.Finished) return $"{type}(state={state})";
        if (_exception is { } e) return $"{type}(state={state}, raised {TypeNames.Of(e.SourceException.GetType())})";
        return ResultTypeName is { } result ? $"{type}(state={state}, returned {result})" : $"{type}(state={state})";
    }

    /// <summary>The type name of the result for <see cref="ToString"/>; null for a future without a result.</summary>
    private protected virtual string? ResultTypeName => null;
}
