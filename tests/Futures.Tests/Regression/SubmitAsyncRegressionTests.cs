namespace Futures.Tests;

public class SubmitAsyncRegressionTests : TestBase
{
    // SubmitAsync on a bounded queue with room once wrote the item twice, so it ran twice and
    // the second run threw "Future in unexpected state" on a worker thread.
    [Fact]
    public async Task SubmitAsync_BoundedQueueWithRoom_RunsTheCallOnce()
    {
        int runs = 0;
        await using (var executor = new ThreadPoolExecutor(maxWorkers: 2, maxQueueSize: 100))
        {
            var futures = new List<Future>();
            for (int i = 0; i < 50; i++) futures.Add(await executor.SubmitAsync(() => Interlocked.Increment(ref runs)));
            Future.Wait(futures, UnexpectedTimeout).NotDone.Should().BeEmpty();
        }
        runs.Should().Be(50);
    }
}
