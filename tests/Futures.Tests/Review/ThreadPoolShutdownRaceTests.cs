using Futures.Internal;

namespace Futures.Tests;

/// <summary>Review findings: Shutdown racing with the lock-free Submit path.</summary>
public sealed class ThreadPoolShutdownRaceTests : TestBase
{
    // Submit writes to the channel without a lock and only then starts a worker. A Shutdown that
    // fell between the two on a pool with no worker yet saw no live worker, called the pool exited
    // (DisposeAsync completed, the exit hook let go) and Shutdown(wait: true) returned with the
    // accepted call not run. The interleaving is reproduced by writing the item as Submit's
    // TryWrite does and calling Shutdown before the submitter's AdjustThreadCount.
    [Fact]
    public void Shutdown_Wait_CallAcceptedBeforeAnyWorkerStarted_RunsBeforeShutdownReturns()
    {
        var ex = new ThreadPoolExecutor(2);
        var item = new CallWorkItem<ValueTuple, int>(new Func<int>(static () => 7), default, static (f, _) => ((Func<int>)f)());
        ex.Core.QueueWriter.TryWrite(item).Should().BeTrue();   // Submit's TryWrite; its AdjustThreadCount has not run yet

        var shutdown = Background.Start(() => ex.Shutdown(wait: true));
        shutdown.Join(UnexpectedTimeout).Should().BeTrue();
        shutdown.Error.Should().BeNull();
        ((Future<int>)item.Future).Result(TimeSpan.Zero).Should().Be(7, "Shutdown(wait: true) returns once every accepted call has run");
    }

    [Fact]
    public async Task DisposeAsync_CallAcceptedBeforeAnyWorkerStarted_RunsBeforeDisposeCompletes()
    {
        var ex = new ThreadPoolExecutor(2);
        var item = new CallWorkItem<ValueTuple, int>(new Func<int>(static () => 7), default, static (f, _) => ((Func<int>)f)());
        ex.Core.QueueWriter.TryWrite(item).Should().BeTrue();

        await ex.DisposeAsync().AsTask().WaitAsync(UnexpectedTimeout);
        ((Future<int>)item.Future).Result(TimeSpan.Zero).Should().Be(7);
    }
}
