using System.Collections.Concurrent;
using System.Diagnostics;

namespace Futures.Tests;

/// <summary>
/// Map and MapUnordered beyond the contract suite: when calls are submitted, what ending early
/// cancels, and the strict <c>bufferSize</c> bound. The custom executors make the order of
/// submissions and completions deterministic.
/// </summary>
public sealed class MapTests : TestBase
{
    [Fact]
    public void Map_NeverEnumerated_SubmitsEveryCallAtTheCall() // test_map_submits_without_iteration
    {
        var finished = new ConcurrentBag<int>();
        var ex = new ThreadPoolExecutor(WorkerCountForThreads);
        _ = ex.Map(n => { finished.Add(n); return n; }, Enumerable.Range(0, 10));
        ex.Shutdown(wait: true);
        finished.Should().BeEquivalentTo(Enumerable.Range(0, 10));
    }

    [Fact]
    public void Map_NotYetEnumerated_HasScheduledEveryCall()
    {
        using var ex = new ManualExecutor();
        IEnumerable<int> results = ex.Map(static (int x) => x, Enumerable.Range(0, 5));
        ex.ScheduledCount.Should().Be(5);
        ex.RunAll();
        results.Should().Equal(0, 1, 2, 3, 4);
    }

    [Fact]
    public void Map_CompletedInReverse_YieldsInInputOrder()
    {
        const int n = 3;
        var gates = Enumerable.Range(0, n).Select(_ => new ManualResetEventSlim()).ToArray();
        var done = Enumerable.Range(0, n).Select(_ => new ManualResetEventSlim()).ToArray();
        using var ex = new ThreadPoolExecutor(n);
        IEnumerable<int> results = ex.Map(i => { gates[i].Wait(UnexpectedTimeout); done[i].Set(); return i * 10; }, Enumerable.Range(0, n));
        for (int i = n - 1; i >= 0; i--)
        {
            gates[i].Set();
            done[i].Wait(UnexpectedTimeout).Should().BeTrue();
        }
        results.Should().Equal(0, 10, 20);
    }

    [Fact]
    public void Map_TwoSequences_ZipsToTheShorter()
    {
        using var ex = new ThreadPoolExecutor(2);
        ex.Map(static (int a, string b) => b + a, Enumerable.Range(0, 100), ["a", "b", "c"]).Should().Equal("a0", "b1", "c2");
        ex.Map(static (int a, int b) => a + b, [1], Enumerable.Range(0, 100)).Should().Equal(1);
    }

    [Fact]
    public void Map_Timeout_CountsFromTheCall()
    {
        // Counted from enumeration, the second MoveNext would block for the whole timeout; counted
        // from the call, it throws at once. The timeout is long so that a loaded machine's pauses
        // (1.5 s seen at load 29) cannot pass for a wait.
        TimeSpan timeout = TimeSpan.FromSeconds(4);
        using var ex = new ManualExecutor();
        using IEnumerator<int> it = ex.Map(static (int x) => x, [0, 1, 2], timeout).GetEnumerator();
        ex.RunNext(UnexpectedTimeout);
        using (var never = new ManualResetEventSlim())
        {
            never.Wait(timeout + TimeSpan.FromMilliseconds(100)).Should().BeFalse(); // let the deadline pass
        }

        it.MoveNext().Should().BeTrue("a call done before the deadline is yielded even after it");
        it.Current.Should().Be(0);
        var clock = Stopwatch.StartNew();
        it.Invoking(i => i.MoveNext()).Should().Throw<TimeoutException>();
        clock.Elapsed.Should().BeLessThan(timeout, "the deadline had passed already: counted from the Map call, not from enumeration");
        ex.Items[1].Future.Cancelled().Should().BeTrue();
        ex.Items[2].Future.Cancelled().Should().BeTrue();
        it.MoveNext().Should().BeFalse();
    }

    [Fact]
    public void Map_CallOutlastsTheTimeout_YieldsEarlierResultsThenThrowsAndEnds() // test_map_timeout
    {
        using var release = new ManualResetEventSlim();
        using var ex = new ThreadPoolExecutor(3);
        var results = new List<int>();
        using var firstTwoDone = new CountdownEvent(2);
        using IEnumerator<int> it = ex.Map(x =>
        {
            if (x == 2) release.Wait(UnexpectedTimeout);
            if (x < 2) firstTwoDone.Signal();
            return x;
        }, [0, 1, 2, 3], timeout: ExpectedTimeout).GetEnumerator();
        try
        {
            // Calls done are yielded even once the deadline has passed, so 0 and 1 almost always come
            // first; but a call can return and its future complete a moment later, past the deadline.
            firstTwoDone.Wait(UnexpectedTimeout).Should().BeTrue();
            Action drain = () => { while (it.MoveNext()) results.Add(it.Current); };
            drain.Should().Throw<TimeoutException>();
        }
        finally
        {
            release.Set();
        }
        new[] { 0, 1 }.Take(results.Count).Should().Equal(results, "the results before the timeout, in order (gh-110097: maybe fewer)");
        it.MoveNext().Should().BeFalse("the remaining calls are cancelled, so the enumeration is over");
    }

    [Fact]
    public void Map_TimeoutZero_CancelsTheQueuedCalls() // test_executor_map_current_future_cancel
    {
        using var stop = new ManualResetEventSlim();
        using var firstStarted = new ManualResetEventSlim();
        var log = new ConcurrentQueue<string>();
        void LogAndWait(string ident)
        {
            log.Enqueue($"{ident} started");
            if (ident == "first") firstStarted.Set();
            try { stop.Wait(UnexpectedTimeout); }
            finally { log.Enqueue($"{ident} stopped"); }
        }

        using (var pool = new ThreadPoolExecutor(maxWorkers: 1))
        {
            Future fut = pool.Submit(LogAndWait, "first");
            firstStarted.Wait(UnexpectedTimeout).Should().BeTrue();
            try
            {
                using IEnumerator<int> gen = pool.Map(s => { LogAndWait(s); return 0; }, ["second", "third"], timeout: TimeSpan.Zero).GetEnumerator();
                gen.Invoking(g => g.MoveNext()).Should().Throw<TimeoutException>();
            }
            finally
            {
                stop.Set();
            }
            fut.Result(UnexpectedTimeout);
        }
        log.Should().Equal("first started", "first stopped");
    }

    [Fact]
    public void Map_CallThrows_CancelsTheCallsNotStarted()
    {
        int calls = 0;
        var ex = new ManualExecutor();
        using IEnumerator<int> it = ex.Map(x => { Interlocked.Increment(ref calls); return 10 / x; }, [1, 0, 2, 5]).GetEnumerator();
        ex.RunNext(UnexpectedTimeout);
        ex.RunNext(UnexpectedTimeout);
        it.MoveNext().Should().BeTrue();
        it.Current.Should().Be(10);
        it.Invoking(i => i.MoveNext()).Should().Throw<DivideByZeroException>();
        ex.Items[2].Future.Cancelled().Should().BeTrue();
        ex.Items[3].Future.Cancelled().Should().BeTrue();
        it.MoveNext().Should().BeFalse();
        ex.Dispose(); // runs what is left: cancelled items return without calling
        calls.Should().Be(2);
    }

    [Fact]
    public void Map_EnumeratorDisposedAfterItBegan_CancelsTheCallsNotStarted()
    {
        int calls = 0;
        var ex = new ManualExecutor();
        IEnumerator<int> it = ex.Map(x => { Interlocked.Increment(ref calls); return x; }, [1, 2, 3, 4]).GetEnumerator();
        ex.RunNext(UnexpectedTimeout);
        it.MoveNext().Should().BeTrue();
        it.Dispose();
        ex.Items.Skip(1).Should().OnlyContain(item => item.Future.Cancelled());
        ex.Dispose();
        calls.Should().Be(1);
    }

    [Fact]
    public void Map_EnumeratedTwice_SecondThrows() // contract v2: one-shot, as Python's generator
    {
        using var ex = new InlineExecutor();
        IEnumerable<int> results = ex.Map(static (int x) => x + 1, [1, 2, 3]);
        results.ToList().Should().Equal(2, 3, 4);
        results.Invoking(r => r.GetEnumerator()).Should().Throw<InvalidOperationException>();
        ex.ScheduledCount.Should().Be(3, "nothing is submitted again");
    }

    [Fact]
    public void Map_SecondEnumeratorWhileTheFirstRuns_Throws()
    {
        using var ex = new ManualExecutor();
        IEnumerable<int> results = ex.Map(static (int a, int b) => a + b, [1, 2], [10, 20]);
        using IEnumerator<int> first = results.GetEnumerator();
        results.Invoking(r => r.GetEnumerator()).Should().Throw<InvalidOperationException>();
        ex.RunAll();
        first.MoveNext().Should().BeTrue();
        first.Current.Should().Be(11);
        first.MoveNext().Should().BeTrue();
        first.Current.Should().Be(22);
    }

    [Fact]
    public void MapUnordered_EnumeratedTwice_SecondThrows()
    {
        using var ex = new InlineExecutor();
        IEnumerable<int> results = ex.MapUnordered(static (int x) => x, [1, 2]);
        results.Should().BeEquivalentTo([1, 2]);
        results.Invoking(r => r.Count()).Should().Throw<InvalidOperationException>();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Map_BufferSize_NeverOneMoreCallOutstandingThanBufferSize(int bufferSize)
    {
        MaxOutstanding(static (ex, b) => ex.Map(static (int x) => x, Enumerable.Range(0, 20), bufferSize: b), bufferSize)
            .Should().Be(bufferSize);
        MaxOutstanding(static (ex, b) => ex.MapUnordered(static (int x) => x, Enumerable.Range(0, 20), bufferSize: b), bufferSize)
            .Should().Be(bufferSize);
        MaxOutstanding(static (ex, b) => ex.Map(static (int x, int y) => x + y, Enumerable.Range(0, 20), Enumerable.Range(0, 20), bufferSize: b), bufferSize)
            .Should().Be(bufferSize);
    }

    /// <summary>
    /// Enumerates a Map on an executor that runs each call as it is scheduled, on the consuming
    /// thread, and returns the most calls ever scheduled ahead of the results yielded (counted at
    /// each Schedule, where the count of results yielded is exact).
    /// </summary>
    private static int MaxOutstanding(Func<Executor, int, IEnumerable<int>> map, int bufferSize)
    {
        int yielded = 0;
        int max = 0;
        InlineExecutor? ex = null;
        ex = new InlineExecutor { OnSchedule = _ => max = Math.Max(max, ex!.ScheduledCount - yielded) };
        using (ex)
        {
            foreach (int _ in map(ex, bufferSize)) yielded++;
        }
        yielded.Should().Be(20);
        return max;
    }

    [Fact]
    public void Map_BufferSizeOnEndlessInput_RunsInBoundedMemory()
    {
        const int bufferSize = 3;
        int pulled = 0;
        int started = 0;
        int maxAhead = 0;
        int consumed = 0;
        IEnumerable<int> Endless()
        {
            for (int i = 0; ; i++)
            {
                Interlocked.Increment(ref pulled);
                yield return i;
            }
        }

        using var ex = new ThreadPoolExecutor(4);
        foreach (int x in ex.Map(x =>
                 {
                     int ahead = Interlocked.Increment(ref started) - Volatile.Read(ref consumed);
                     InterlockedMax.Update(ref maxAhead, ahead);
                     return x;
                 }, Endless(), bufferSize: bufferSize).Take(200))
        {
            x.Should().Be(consumed);
            Interlocked.Increment(ref consumed);
        }
        pulled.Should().BeLessThanOrEqualTo(200 + bufferSize);
        maxAhead.Should().BeLessThanOrEqualTo(bufferSize, "a call starts only once the result it makes room for has been consumed");
    }

    [Fact]
    public void MapUnordered_CompletedInReverse_YieldsInCompletionOrder()
    {
        const int n = 3;
        var gates = Enumerable.Range(0, n).Select(_ => new ManualResetEventSlim()).ToArray();
        using var ex = new ThreadPoolExecutor(n);
        using IEnumerator<int> it = ex.MapUnordered(i => { gates[i].Wait(UnexpectedTimeout); return i; }, Enumerable.Range(0, n)).GetEnumerator();
        for (int i = n - 1; i >= 0; i--)
        {
            gates[i].Set(); // only call i can finish now
            it.MoveNext().Should().BeTrue();
            it.Current.Should().Be(i);
        }
        it.MoveNext().Should().BeFalse();
    }

    [Fact]
    public void MapUnordered_Timeout_ThrowsAndCancelsTheRest()
    {
        using var ex = new ManualExecutor();
        using IEnumerator<int> it = ex.MapUnordered(static (int x) => x, [0, 1, 2], timeout: TimeSpan.Zero).GetEnumerator();
        ex.RunNext(UnexpectedTimeout);
        it.MoveNext().Should().BeTrue();
        it.Current.Should().Be(0);
        it.Invoking(i => i.MoveNext()).Should().Throw<TimeoutException>();
        ex.Items[1].Future.Cancelled().Should().BeTrue();
        ex.Items[2].Future.Cancelled().Should().BeTrue();
        it.MoveNext().Should().BeFalse();
    }

    [Fact]
    public void MapUnordered_EnumeratorDisposedAfterItBegan_CancelsTheCallsNotStarted()
    {
        var ex = new ManualExecutor();
        IEnumerator<int> it = ex.MapUnordered(static (int x) => x, [1, 2, 3, 4]).GetEnumerator();
        ex.RunNext(UnexpectedTimeout);
        it.MoveNext().Should().BeTrue();
        it.Dispose();
        ex.Items.Skip(1).Should().OnlyContain(item => item.Future.Cancelled());
        ex.Dispose();
    }

    [Fact]
    public void Map_ResultTaken_NotKeptOnceTheEnumeratorMovesOn() // test_free_reference
    {
        using var ex = new ThreadPoolExecutor(WorkerCountForThreads);
        using IEnumerator<object> it = ex.Map(static (int _) => new object(), Enumerable.Range(0, 10)).GetEnumerator();
        WeakReference? previous = Next(it);
        previous.Should().NotBeNull();
        while (Next(it) is { } current)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            previous!.IsAlive.Should().BeFalse("neither Map nor the executor may keep a result the caller has moved past");
            previous = current;
        }
    }

    /// <summary>Moves on and returns a weak reference to the new current result (in a method of its own, so no local of the test holds it).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference? Next(IEnumerator<object> it) => it.MoveNext() ? new WeakReference(it.Current) : null;

    private const int WorkerCountForThreads = 5;
}
