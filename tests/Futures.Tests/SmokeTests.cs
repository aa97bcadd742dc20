namespace Futures.Tests;

public class SmokeTests : TestBase
{
    [Fact]
    public void Future_SetResult_ResultReturnsIt()
    {
        var f = new Future<int>();
        f.SetResult(42);
        f.Result(UnexpectedTimeout).Should().Be(42);
        f.ToString().Should().Be("Future<Int32>(state=Finished, returned Int32)");
    }
}

public class ThreadPoolSmokeTests : TestBase
{
    [Fact]
    public void Submit_Sequential_ReusesOneThread()
    {
        using var ex = new ThreadPoolExecutor();
        for (int i = 0; i < 3; i++) ex.Submit((int a, int b) => a * b, 21, 2).Result(UnexpectedTimeout).Should().Be(42);
        ex.ThreadCount.Should().Be(1);
    }

    [Fact]
    public void Submit_ManyBlocked_UsesExactlyMaxWorkers()
    {
        using var gate = new ManualResetEventSlim();
        var ex = new ThreadPoolExecutor(maxWorkers: 4);
        var fs = Enumerable.Range(0, 60).Select(_ => ex.Submit(() => gate.Wait(UnexpectedTimeout))).ToList();
        gate.Set();
        Future.Wait(fs, UnexpectedTimeout).NotDone.Should().BeEmpty();
        ex.Shutdown();
        ex.ThreadCount.Should().Be(4);
    }

    [Fact]
    public void Map_YieldsInOrder()
    {
        using var ex = new ThreadPoolExecutor(2);
        ex.Map(x => x * x, Enumerable.Range(0, 100), bufferSize: 3).Should().Equal(Enumerable.Range(0, 100).Select(x => x * x));
    }
}
