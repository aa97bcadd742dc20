using System.Diagnostics.CodeAnalysis;

namespace Futures.Internal;

/// <summary>Throws kept out of line so that hot paths stay small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowShutdown() => throw new InvalidOperationException(Messages.Shutdown);

    [DoesNotReturn]
    public static void ThrowUnexpectedState() => throw new InvalidOperationException(Messages.UnexpectedState);

    [DoesNotReturn]
    public static void ThrowInvalidState(Future future) => throw new InvalidStateException($"{future.State}: {future}");

    [DoesNotReturn]
    public static void ThrowTimeout() => throw new TimeoutException();

    [DoesNotReturn]
    public static void ThrowCancelled() => throw new CancelledException();

    [DoesNotReturn]
    public static void ThrowQueueFull() => throw new QueueFullException(Messages.QueueFull);
}
