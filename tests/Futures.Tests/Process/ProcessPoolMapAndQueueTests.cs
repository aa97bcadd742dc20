namespace Futures.Tests;

/// <summary>Map with chunking and bufferSize, and the bounded queue modes.</summary>
[Collection("ProcessPool")]
public sealed class ProcessPoolMapAndQueueTests : ProcessTestBase
{
    internal static int FailOn13(int x) => x == 13 ? throw new ArgumentException("thirteen") : x;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    public void Map_ChunkSize_ResultsInOrder(int chunkSize)
    {
        var pool = NewPool(maxWorkers: 2);
        pool.Map(ProcessTasks.Square, Enumerable.Range(0, 60), chunkSize: chunkSize, timeout: UnexpectedTimeout)
            .Should().Equal(Enumerable.Range(0, 60).Select(i => i * i));
    }

    [Fact]
    public void Map_TwoWorkersFourEqualCalls_EachWorkerRunsTwo()
    {
        // The extra call queued behind a busy worker goes behind the one whose call has run
        // longest; behind the first busy worker instead, 4 equal calls once ran as 3 + 1
        // (samples/ProcessPoolDemo: 1.35x instead of 1.8x faster with 2 workers than with 1).
        var pool = NewPool(maxWorkers: 2);
        Future.Wait([pool.Submit(ProcessTasks.SlowPid, 200), pool.Submit(ProcessTasks.SlowPid, 200)], UnexpectedTimeout);
        var pids = pool.Map(ProcessTasks.SlowPid, Enumerable.Repeat(300, 4), timeout: UnexpectedTimeout).ToList();
        pids.GroupBy(p => p).Select(g => g.Count()).Should().Equal(2, 2);
    }

    internal static int[] DoubleAll(ValueTuple<int>[] items) => items.Select(static x => x.Item1 * 2).ToArray();

    [Fact]
    public void Submit_OneArrayOfTuples_IsOneCallNotAChunk_ThoughItsItemTypeIsAChunks()
    {
        // Submit(Func<ValueTuple<int>[], int[]>) makes the same CallWorkItem type as a chunk of
        // Map(Func<int, int>): only the item's invoker tells them apart (WorkItem.IsMapChunk).
        var pool = NewPool(maxWorkers: 1);
        pool.Map(ProcessTasks.Square, Enumerable.Range(0, 6), chunkSize: 3, timeout: UnexpectedTimeout).Should().Equal(0, 1, 4, 9, 16, 25);
        pool.Submit(DoubleAll, new ValueTuple<int>[] { new(1), new(2), new(3) }).Result(UnexpectedTimeout).Should().Equal(2, 4, 6);
        pool.Map(ProcessTasks.Square, Enumerable.Range(0, 4), chunkSize: 2, timeout: UnexpectedTimeout).Should().Equal(0, 1, 4, 9);
    }

    [Fact]
    public void Map_TwoSequences_Chunked_ZipsToShortest()
    {
        var pool = NewPool(maxWorkers: 2);
        pool.Map(ProcessTasks.Add, Enumerable.Range(0, 10), Enumerable.Range(100, 5), chunkSize: 3, timeout: UnexpectedTimeout)
            .Should().Equal(100, 102, 104, 106, 108);
    }

    [Fact]
    public void Map_Chunked_ExceptionInAChunk_IsThrownWhenReached()
    {
        var pool = NewPool(maxWorkers: 2);
        var results = new List<int>();
        Action act = () =>
        {
            foreach (int r in pool.Map(FailOn13, Enumerable.Range(0, 40), chunkSize: 5, timeout: UnexpectedTimeout)) results.Add(r);
        };
        act.Should().Throw<ArgumentException>().WithMessage("thirteen");
        results.Should().Equal(Enumerable.Range(0, 10)); // chunks [0..4] and [5..9]; the chunk with 13 fails whole
    }

    [Fact]
    public void Map_Chunked_RunsInWorkers_AndBufferSizeStreams()
    {
        var pool = NewPool(maxWorkers: 2);
        var pids = pool.Map(static (int _) => Environment.ProcessId, Enumerable.Range(0, 1000), chunkSize: 50, bufferSize: 2, timeout: UnexpectedTimeout).ToList();
        pids.Should().HaveCount(1000).And.NotContain(Environment.ProcessId);
    }

    [Fact]
    public void MapUnordered_Chunked_YieldsEveryResult()
    {
        var pool = NewPool(maxWorkers: 2);
        pool.MapUnordered(ProcessTasks.Square, Enumerable.Range(0, 30), chunkSize: 4, timeout: UnexpectedTimeout)
            .Should().BeEquivalentTo(Enumerable.Range(0, 30).Select(i => i * i));
    }

    [Fact]
    public void BoundedQueue_Throw_RejectsWhenFull()
    {
        var pool = NewPool(maxWorkers: 1, maxQueueSize: 1, queueFullMode: QueueFullMode.Throw);
        Future<int> running = pool.Submit(ProcessTasks.SlowPid, 500);
        ProcessPoolExecutorTests.WaitUntilRunning(running);
        Future<int> extra = pool.Submit(ProcessTasks.SlowPid, 1);   // handed out behind the busy worker
        ProcessPoolExecutorTests.WaitUntilRunning(extra);
        Future<int> waiting = pool.Submit(ProcessTasks.SlowPid, 1); // fills the queue
        FluentActions.Invoking(() => pool.Submit(ProcessTasks.SlowPid, 1)).Should().Throw<QueueFullException>();
        waiting.Result(UnexpectedTimeout);
        pool.Submit(ProcessTasks.Square, 2).Result(UnexpectedTimeout).Should().Be(4);
    }

    [Fact]
    public async Task BoundedQueue_Wait_SubmitAsyncAwaitsRoom()
    {
        var pool = NewPool(maxWorkers: 1, maxQueueSize: 1);
        Future<int> running = pool.Submit(ProcessTasks.SlowPid, 300);
        ProcessPoolExecutorTests.WaitUntilRunning(running);
        Future<int> extra = pool.Submit(ProcessTasks.SlowPid, 1);
        ProcessPoolExecutorTests.WaitUntilRunning(extra);
        Future<int> waiting = pool.Submit(ProcessTasks.SlowPid, 1);
        ValueTask<Future<int>> blocked = pool.SubmitAsync(ProcessTasks.Square, 3);
        blocked.IsCompleted.Should().BeFalse();
        Future<int> last = await blocked.AsTask().WaitAsync(UnexpectedTimeout);
        (await last.AsTask().WaitAsync(UnexpectedTimeout)).Should().Be(9);
        waiting.Done().Should().BeTrue();
    }

    [Fact]
    public async Task BoundedQueue_SubmitAsyncCancelledWhileWaiting_ThrowsAndWorkNeverRuns()
    {
        var pool = NewPool(maxWorkers: 1, maxQueueSize: 1);
        Future<int> running = pool.Submit(ProcessTasks.SlowPid, 500);
        ProcessPoolExecutorTests.WaitUntilRunning(running);
        Future<int> extra = pool.Submit(ProcessTasks.SlowPid, 1);
        ProcessPoolExecutorTests.WaitUntilRunning(extra);
        Future<int> waiting = pool.Submit(ProcessTasks.SlowPid, 1);
        using var cts = new CancellationTokenSource();
        ValueTask<Future<int>> blocked = pool.SubmitAsync(ProcessTasks.Exit, 5, cts.Token); // would break the pool if it ran
        cts.Cancel();
        await FluentActions.Awaiting(() => blocked.AsTask()).Should().ThrowAsync<OperationCanceledException>();
        (await waiting.AsTask().WaitAsync(UnexpectedTimeout)).Should().NotBe(Environment.ProcessId);
        pool.Submit(ProcessTasks.Square, 5).Result(UnexpectedTimeout).Should().Be(25);
    }

    [Fact]
    public void BoundedQueue_Wait_SubmitBlocksUntilRoom()
    {
        var pool = NewPool(maxWorkers: 1, maxQueueSize: 2);
        var futures = Enumerable.Range(0, 12).Select(i => pool.Submit(ProcessTasks.Square, i)).ToList();
        futures.Select(f => f.Result(UnexpectedTimeout)).Should().Equal(Enumerable.Range(0, 12).Select(i => i * i));
    }
}
