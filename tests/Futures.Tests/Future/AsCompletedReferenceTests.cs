using System.Runtime.CompilerServices;

namespace Futures.Tests;

/// <summary>
/// CPython's test_free_reference_yielded_future (bpo-27144): the enumeration must not keep the
/// futures it has yielded alive. Futures are touched only inside NoInlining helpers, so that the
/// test method's own frame (unoptimized in Debug) holds no hidden references to them.
/// </summary>
public class AsCompletedReferenceTests : TestBase
{
    [Fact]
    public void AsCompleted_YieldedFutures_AreNotKeptAliveByTheEnumeration()
    {
        List<Future<int>> futures = MakeFutures();

        // First pass, timeout zero: the two done futures, then TimeoutException.
        WeakReference second = FirstPass(futures);
        CollectGarbage();
        second.IsAlive.Should().BeFalse("the enumeration has ended");

        // Second pass: each future finishes just before it is taken.
        futures.Should().HaveCount(8);
        IEnumerator<Future<int>> e = Begin(futures, UnexpectedTimeout);
        WeakReference? previous = null;
        while (futures.Count > 0)
        {
            SetFirstResult(futures);
            WeakReference current = TakeNext(e, futures);
            CollectGarbage();
            previous?.IsAlive.Should().BeFalse("a yielded future is held by nobody but the test");
            previous = current;
        }
        e.MoveNext().Should().BeFalse();
        e.Dispose();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<Future<int>> MakeFutures()
    {
        List<Future<int>> futures = [.. Enumerable.Range(0, 8).Select(_ => new Future<int>())];
        futures.Add(FutureStates.CancelledAndNotified());
        futures.Add(FutureStates.Successful(42));
        return futures;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IEnumerator<Future<int>> Begin(List<Future<int>> futures, TimeSpan timeout) =>
        Future.AsCompleted([.. futures], timeout).GetEnumerator();

    /// <summary>Moves to the next future, drops the test's reference to it and returns a weak one.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference TakeNext(IEnumerator<Future<int>> e, List<Future<int>> futures)
    {
        e.MoveNext().Should().BeTrue();
        futures.Remove(e.Current).Should().BeTrue();
        return new WeakReference(e.Current);
    }

    /// <summary>Takes the two done futures and checks the first is released; returns the second.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference FirstPass(List<Future<int>> futures)
    {
        using IEnumerator<Future<int>> e = Begin(futures, TimeSpan.Zero);
        WeakReference first = TakeNext(e, futures);
        WeakReference second = TakeNext(e, futures);
        CollectGarbage();
        first.IsAlive.Should().BeFalse("the enumerator has moved past it");
        e.Invoking(x => x.MoveNext()).Should().Throw<TimeoutException>();
        return second;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SetFirstResult(List<Future<int>> futures) => futures[0].SetResult(1);

    private static void CollectGarbage()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
