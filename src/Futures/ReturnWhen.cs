namespace Futures;

/// <summary>When <see cref="Future.Wait{TFuture}"/> returns.</summary>
public enum ReturnWhen
{
    /// <summary>As soon as any future finishes or is cancelled.</summary>
    FirstCompleted,

    /// <summary>As soon as any future finishes by raising an exception; with no failure, as <see cref="AllCompleted"/>.</summary>
    FirstException,

    /// <summary>When every future has finished or been cancelled.</summary>
    AllCompleted,
}
