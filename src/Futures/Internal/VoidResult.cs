namespace Futures.Internal;

/// <summary>The "result" of a call that returns nothing, so that Action and Func shapes share one code path.</summary>
internal readonly struct VoidResult;
