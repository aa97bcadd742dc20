using System.Collections.Concurrent;

namespace Futures.Tests;

/// <summary>Shutdown racing with submitters: every call accepted runs, every other Submit throws, nothing hangs.</summary>
public sealed class ThreadPoolShutdownStressTests : TestBase
{
    [Theory]
    [InlineData(null, QueueFullMode.Wait)]
    [InlineData(4, QueueFullMode.Wait)]
    [InlineData(4, QueueFullMode.CallerRuns)]
    public void Shutdown_RacingSubmitters_EveryAcceptedCallRunsAndTheRestThrow(int? maxQueueSize, QueueFullMode mode)
    {
        for (int round = 0; round < 20; round++)
        {
            var ex = new ThreadPoolExecutor(3, maxQueueSize: maxQueueSize, queueFullMode: mode);
            var accepted = new ConcurrentQueue<Future<int>>();
            int submitted = 0;
            using var enough = new ManualResetEventSlim();
            var submitters = Enumerable.Range(0, 2).Select(_ => Background.Start(() =>
            {
                while (true)
                {
                    try
                    {
                        accepted.Enqueue(ex.Submit(static () => 1));
                    }
                    catch (InvalidOperationException e) when (e.Message == "cannot schedule new futures after shutdown")
                    {
                        return;
                    }
                    if (Interlocked.Increment(ref submitted) == 50) enough.Set();
                }
            })).ToList();

            enough.Wait(UnexpectedTimeout).Should().BeTrue();
            ex.Shutdown(wait: true);
            foreach (Background s in submitters)
            {
                s.Join(UnexpectedTimeout).Should().BeTrue();
                s.Error.Should().BeNull();
            }
            accepted.Should().OnlyContain(f => f.Done() && f.Result(TimeSpan.Zero) == 1, "shutdown(wait) returns once every accepted call has run");
            ex.Threads.Should().OnlyContain(t => !t.IsAlive);
        }
    }
}
