namespace Futures.Orleans.Tests;

/// <summary>Shared timeouts: guards against hangs, never expectations of speed.</summary>
public abstract class TestBase
{
    /// <summary>A wait that should never run out; if it does, the test fails instead of hanging.</summary>
    public static readonly TimeSpan UnexpectedTimeout = System.Diagnostics.Debugger.IsAttached ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(30);

    /// <summary>A wait that is meant to run out (the thing waited for never happens).</summary>
    public static readonly TimeSpan ExpectedTimeout = TimeSpan.FromMilliseconds(200);
}
