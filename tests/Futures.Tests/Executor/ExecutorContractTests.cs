namespace Futures.Tests;

/// <summary>
/// What every executor must do (CPython's <c>ExecutorTest</c> mixin and the shared part of
/// <c>ExecutorShutdownTest</c>). Subclassed once per executor, as Channels' <c>ChannelTestBase</c> is.
/// </summary>
/// <remarks>
/// The work here is static lambdas over plain arguments, so that an executor that ships calls
/// to another process can run the same suite. Tests that need in-process gates live with each pool.
/// </remarks>
public abstract class ExecutorContractTests : TestBase
{
    /// <summary>The number of workers the suite's executors get (CPython's <c>worker_count</c>).</summary>
    protected const int WorkerCount = 5;

    /// <summary>A new executor with <paramref name="maxWorkers"/> workers; the test disposes it.</summary>
    protected abstract Executor CreateExecutor(int maxWorkers);

    // --- test_submit, test_submit_keyword (no keywords in C#: every positional shape instead) ---

    [Fact]
    public void Submit_Function_ReturnsResult()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        ex.Submit(static (double x, double y) => Math.Pow(x, y), 2.0, 8.0).Result(UnexpectedTimeout).Should().Be(256);
    }

    [Fact]
    public void Submit_EveryFuncShape_ReturnsResult()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        ex.Submit(static () => 7).Result(UnexpectedTimeout).Should().Be(7);
        ex.Submit(static (int a) => a * 2, 21).Result(UnexpectedTimeout).Should().Be(42);
        ex.Submit(static (int a, string b) => b + a, 1, "x").Result(UnexpectedTimeout).Should().Be("x1");
        ex.Submit(static (int a, int b, int c) => a * 100 + b * 10 + c, 1, 2, 3).Result(UnexpectedTimeout).Should().Be(123);
    }

    [Fact]
    public void Submit_EveryActionShape_RunsWithItsArguments()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        Future[] fs =
        [
            ex.Submit(static () => { }),
            ex.Submit(static (int a) => Check(a == 1), 1),
            ex.Submit(static (int a, string b) => Check(a == 1 && b == "two"), 1, "two"),
            ex.Submit(static (int a, int b, int c) => Check(a == 1 && b == 2 && c == 3), 1, 2, 3),
        ];
        foreach (Future f in fs) f.Exception(UnexpectedTimeout).Should().BeNull();
    }

    [Fact]
    public async Task SubmitAsync_EveryShape_ReturnsResult()
    {
        await using Executor ex = CreateExecutor(WorkerCount);
        (await ex.SubmitAsync(static () => 7)).Result(UnexpectedTimeout).Should().Be(7);
        (await ex.SubmitAsync(static (int a) => a * 2, 21)).Result(UnexpectedTimeout).Should().Be(42);
        (await ex.SubmitAsync(static (int a, string b) => b + a, 1, "x")).Result(UnexpectedTimeout).Should().Be("x1");
        (await ex.SubmitAsync(static (int a, int b, int c) => a + b + c, 1, 2, 3)).Result(UnexpectedTimeout).Should().Be(6);
        (await ex.SubmitAsync(static () => { })).Exception(UnexpectedTimeout).Should().BeNull();
        (await ex.SubmitAsync(static (int a) => Check(a == 1), 1)).Exception(UnexpectedTimeout).Should().BeNull();
        (await ex.SubmitAsync(static (int a, int b) => Check(a + b == 3), 1, 2)).Exception(UnexpectedTimeout).Should().BeNull();
        (await ex.SubmitAsync(static (int a, int b, int c) => Check(a + b + c == 6), 1, 2, 3)).Exception(UnexpectedTimeout).Should().BeNull();
    }

    [Fact]
    public void Submit_Throwing_FutureCarriesTheException()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        Future<int> f = ex.Submit(static (int a, int b) => a / b, 1, 0);
        f.Exception(UnexpectedTimeout).Should().NotBeNull();
        f.Invoking(x => x.Result(UnexpectedTimeout)).Should().Throw<Exception>();
    }

    [Fact]
    public async Task Submit_NullFunction_ThrowsArgumentNullException()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        ex.Invoking(e => e.Submit((Func<int>)null!)).Should().Throw<ArgumentNullException>();
        ex.Invoking(e => e.Submit((Action)null!)).Should().Throw<ArgumentNullException>();
        ex.Invoking(e => e.Submit((Func<int, int>)null!, 1)).Should().Throw<ArgumentNullException>();
        ex.Invoking(e => e.Submit((Action<int, int, int>)null!, 1, 2, 3)).Should().Throw<ArgumentNullException>();
        Func<Task> submitFunc = async () => await ex.SubmitAsync((Func<int>)null!);
        await submitFunc.Should().ThrowAsync<ArgumentNullException>();
        Func<Task> submitAction = async () => await ex.SubmitAsync((Action<int>)null!, 1);
        await submitAction.Should().ThrowAsync<ArgumentNullException>();
    }

    // --- Shutdown (ExecutorShutdownTest) ---

    [Fact]
    public void Submit_AfterShutdown_ThrowsInvalidOperationException() // test_run_after_shutdown
    {
        using Executor ex = CreateExecutor(WorkerCount);
        ex.Shutdown();
        ex.Invoking(e => e.Submit(static (double x, double y) => Math.Pow(x, y), 2.0, 5.0))
            .Should().Throw<InvalidOperationException>().WithMessage("cannot schedule new futures after shutdown");
        ex.Invoking(e => e.Submit(static () => { }))
            .Should().Throw<InvalidOperationException>().WithMessage("cannot schedule new futures after shutdown");
        ex.Invoking(e => e.Map(static (int x) => x, [1]))
            .Should().Throw<InvalidOperationException>().WithMessage("cannot schedule new futures after shutdown");
    }

    [Fact]
    public async Task SubmitAsync_AfterShutdown_ThrowsInvalidOperationException()
    {
        await using Executor ex = CreateExecutor(WorkerCount);
        ex.Shutdown();
        Func<Task> submit = async () => await ex.SubmitAsync(static () => 1);
        await submit.Should().ThrowAsync<InvalidOperationException>().WithMessage("cannot schedule new futures after shutdown");
    }

    [Fact]
    public void Shutdown_CalledAgain_IsIdempotent()
    {
        Executor ex = CreateExecutor(WorkerCount);
        ex.Submit(static () => 1).Result(UnexpectedTimeout);
        ex.Shutdown();
        ex.Shutdown();
        ex.Shutdown(wait: false, cancelFutures: true);
        ex.Dispose();
    }

    [Fact]
    public void Shutdown_WithQueuedWork_RunsAllOfIt() // test_hang_issue12364
    {
        Executor ex = CreateExecutor(WorkerCount);
        var fs = Enumerable.Range(0, 50).Select(i => ex.Submit(static (int ms) => Thread.Sleep(ms), 1)).ToList();
        ex.Shutdown();
        foreach (Future f in fs) f.Done().Should().BeTrue();
        foreach (Future f in fs) f.Result(TimeSpan.Zero);
    }

    [Fact]
    public void Shutdown_AfterSubmitCancelled_DoesNotHang() // test_hang_gh94440
    {
        Executor ex = CreateExecutor(1);
        ex.Submit(static () => 0).Result(UnexpectedTimeout);
        ex.Submit(static () => 0).Cancel();
        Background.Start(() => ex.Shutdown(wait: true)).Join(UnexpectedTimeout).Should().BeTrue("shutdown(wait) must not hang on a cancelled future");
    }

    [Fact]
    public void Shutdown_RightAfterMap_DoesNotHang() // test_shutdown_race_issue12456
    {
        Executor ex = CreateExecutor(WorkerCount);
        _ = ex.Map(static (int x) => x.ToString(), Enumerable.Repeat(2, WorkerCount + 1));
        Background.Start(() => ex.Shutdown()).Join(UnexpectedTimeout).Should().BeTrue();
    }

    [Fact]
    public void Dispose_WaitsForSubmittedWork()
    {
        Future<int> f;
        using (Executor ex = CreateExecutor(WorkerCount))
        {
            f = ex.Submit(static (int ms) => { Thread.Sleep(ms); return 5; }, 50);
        }
        f.Done().Should().BeTrue();
        f.Result(TimeSpan.Zero).Should().Be(5);
    }

    [Fact]
    public async Task DisposeAsync_WaitsForSubmittedWork()
    {
        Future<int> f;
        await using (Executor ex = CreateExecutor(WorkerCount))
        {
            f = ex.Submit(static (int ms) => { Thread.Sleep(ms); return 5; }, 50);
        }
        f.Done().Should().BeTrue();
        f.Result(TimeSpan.Zero).Should().Be(5);
    }

    // --- Map (test_map*) ---

    [Fact]
    public void Map_TwoSequences_MatchesSequentialMap() // test_map
    {
        using Executor ex = CreateExecutor(WorkerCount);
        var expected = Enumerable.Range(0, 10).Select(i => Math.Pow(i, i)).ToList();
        ex.Map(static (int x, int y) => Math.Pow(x, y), Enumerable.Range(0, 10), Enumerable.Range(0, 10)).Should().Equal(expected);
        ex.Map(static (int x, int y) => Math.Pow(x, y), Enumerable.Range(0, 10), Enumerable.Range(0, 10), chunkSize: 3).Should().Equal(expected);
    }

    [Fact]
    public void Map_ChunkSizes_MatchSequentialMap() // test_map_chunksize
    {
        using Executor ex = CreateExecutor(WorkerCount);
        var expected = Enumerable.Range(0, 40).Select(static i => i * i).ToList();
        foreach (int chunkSize in new[] { 1, 6, 40, 50 })
            ex.Map(static (int x) => x * x, Enumerable.Range(0, 40), chunkSize: chunkSize).Should().Equal(expected);
    }

    [Fact]
    public void Map_CallThrows_ThrowsAtItsValueAndEnds() // test_map_exception
    {
        using Executor ex = CreateExecutor(WorkerCount);
        using IEnumerator<(int, int)> it = ex.Map(static (int a, int b) => (a / b, a % b), [5, 5, 5, 5], [2, 3, 0, 5]).GetEnumerator();
        it.MoveNext().Should().BeTrue();
        it.Current.Should().Be((2, 1));
        it.MoveNext().Should().BeTrue();
        it.Current.Should().Be((1, 2));
        it.Invoking(i => i.MoveNext()).Should().Throw<DivideByZeroException>();
        // Python 3.14 ends the iterator here (the remaining calls are cancelled).
        it.MoveNext().Should().BeFalse();
        it.MoveNext().Should().BeFalse();
    }

    [Fact]
    public void Map_CallThrowsTimeout_IsNotTheMapTimeout() // test_map_timeout_from_callable
    {
        using Executor ex = CreateExecutor(WorkerCount);
        foreach (TimeSpan? timeout in new TimeSpan?[] { null, UnexpectedTimeout })
        {
            using IEnumerator<int> it = ex.Map(static (int x) => x == 1 ? throw new TimeoutException("from the call") : x, [0, 1, 2, 3], timeout).GetEnumerator();
            it.MoveNext().Should().BeTrue();
            it.Current.Should().Be(0);
            it.Invoking(i => i.MoveNext()).Should().Throw<TimeoutException>().WithMessage("*from the call*");
        }
    }

    /// <remarks>
    /// The failing call is the first one after the first result's batch: with chunkSize 1 the second
    /// call, with chunkSize 3 the fourth (the first of the second chunk). A batching executor fails a
    /// chunk as a whole (CPython's <c>_process_chunk</c>), so a zero inside the first chunk would fail
    /// the first result too; placed after it, the test holds for every executor and still checks that
    /// Dispose ends the enumeration before the failure is reached.
    /// </remarks>
    [Fact]
    public void Map_DisposedAfterFirst_Ends() // test_map_close
    {
        using Executor ex = CreateExecutor(WorkerCount);
        foreach ((int chunkSize, int[] divisors) in new[] { (1, new[] { 2, 0, 3, 5 }), (3, new[] { 2, 3, 5, 0 }) })
        {
            IEnumerator<(int, int)> it = ex.Map(static (int a, int b) => (a / b, a % b), [5, 5, 5, 5], divisors, chunkSize: chunkSize).GetEnumerator();
            it.MoveNext().Should().BeTrue();
            it.Current.Should().Be((2, 1));
            it.Dispose();
            it.MoveNext().Should().BeFalse();
            it.MoveNext().Should().BeFalse();
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Map_BufferSizeBelowOne_ThrowsAtTheCall(int bufferSize) // test_map_buffersize_value_validation
    {
        using Executor ex = CreateExecutor(WorkerCount);
        ex.Invoking(e => e.Map(static (int x) => x.ToString(), Enumerable.Range(0, 4), bufferSize: bufferSize))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("bufferSize");
        ex.Invoking(e => e.MapUnordered(static (int x) => x.ToString(), Enumerable.Range(0, 4), bufferSize: bufferSize))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("bufferSize");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Map_ChunkSizeBelowOne_ThrowsAtTheCall(int chunkSize)
    {
        using Executor ex = CreateExecutor(WorkerCount);
        ex.Invoking(e => e.Map(static (int x) => x, Enumerable.Range(0, 4), chunkSize: chunkSize))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("chunkSize");
        ex.Invoking(e => e.Map(static (int x, int y) => x, [1], [2], chunkSize: chunkSize))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("chunkSize");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Map_BufferSize_YieldsEveryResultInOrder(int bufferSize) // test_map_buffersize(_on_multiple_iterables)
    {
        using Executor ex = CreateExecutor(WorkerCount);
        ex.Map(static (int x) => x.ToString(), Enumerable.Range(0, 4), bufferSize: bufferSize).Should().Equal("0", "1", "2", "3");
        ex.Map(static (int x, int y) => x + y, Enumerable.Range(0, 4), Enumerable.Range(0, 4), bufferSize: bufferSize).Should().Equal(0, 2, 4, 6);
    }

    [Fact]
    public void Map_BufferSizeOnEndlessInput_Streams() // test_map_buffersize_on_(multiple_)infinite_iterable(s)
    {
        using Executor ex = CreateExecutor(WorkerCount);
        ex.Map(static (int x) => x.ToString(), Endless(), bufferSize: 2).Take(3).Should().Equal("0", "1", "2");
        ex.Map(static (int x, int y) => x + y, Endless(), Endless(), bufferSize: 2).Take(3).Should().Equal(0, 2, 4);
    }

    [Fact]
    public void Map_BufferSizeOnEmptyInput_YieldsNothing() // test_map_buffersize_on_empty_iterable
    {
        using Executor ex = CreateExecutor(WorkerCount);
        ex.Map(static (int x) => x.ToString(), [], bufferSize: 2).Should().BeEmpty();
    }

    [Fact]
    public void Map_BufferSizeFull_TakesOnlyBufferSizeItems() // test_map_buffersize_when_buffer_is_full
    {
        using IEnumerator<int> ints = Enumerable.Range(0, 4).GetEnumerator();
        Executor ex = CreateExecutor(WorkerCount);
        _ = ex.Map(static (int x) => x.ToString(), Drain(ints), bufferSize: 2);
        ex.Shutdown(wait: true);
        ints.MoveNext().Should().BeTrue();
        ints.Current.Should().Be(2, "only bufferSize items may be taken from the input");
    }

    [Fact]
    public void MapUnordered_YieldsEveryResult()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        ex.MapUnordered(static (int x) => x * x, Enumerable.Range(0, 50)).Should().BeEquivalentTo(Enumerable.Range(0, 50).Select(static x => x * x));
        ex.MapUnordered(static (int x) => x * x, Enumerable.Range(0, 50), bufferSize: 3).Should().BeEquivalentTo(Enumerable.Range(0, 50).Select(static x => x * x));
    }

    [Fact]
    public void MapUnordered_CallThrows_ThrowsAndEnds()
    {
        using Executor ex = CreateExecutor(1);
        using IEnumerator<int> it = ex.MapUnordered(static (int x) => 10 / x, [0]).GetEnumerator();
        it.Invoking(i => i.MoveNext()).Should().Throw<DivideByZeroException>();
        it.MoveNext().Should().BeFalse();
    }

    private static void Check(bool condition)
    {
        if (!condition) throw new InvalidOperationException("wrong arguments");
    }

    private static IEnumerable<int> Endless()
    {
        for (int i = 0; ; i++) yield return i;
    }

    /// <summary>An enumerable over an enumerator the test keeps, to see how far the executor took it.</summary>
    private static IEnumerable<int> Drain(IEnumerator<int> source)
    {
        while (source.MoveNext()) yield return source.Current;
    }
}
