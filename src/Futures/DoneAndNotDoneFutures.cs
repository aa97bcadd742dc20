namespace Futures;

/// <summary>What <see cref="Future.Wait{TFuture}"/> returns: the futures that are done and those that are not.</summary>
/// <typeparam name="TFuture">The type of the futures waited on.</typeparam>
/// <param name="Done">The futures that finished or were cancelled.</param>
/// <param name="NotDone">The futures still pending or running when the wait ended.</param>
public readonly record struct DoneAndNotDoneFutures<TFuture>(
    IReadOnlySet<TFuture> Done, IReadOnlySet<TFuture> NotDone) where TFuture : Future;
