namespace Futures.Tests;

/// <summary>
/// Every process-pool test runs in this collection: one at a time, and not beside other
/// collections either, since worker processes compete for the same two cores.
/// </summary>
[CollectionDefinition("ProcessPool", DisableParallelization = true)]
public sealed class ProcessPoolCollection;
