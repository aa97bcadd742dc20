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
