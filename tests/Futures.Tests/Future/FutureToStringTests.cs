namespace Futures.Tests;

/// <summary>ToString(): Python's repr in the contract's format.</summary>
public class FutureToStringTests : TestBase
{
    // CPython: test_repr
    [Theory]
    [InlineData(FutureState.Pending)]
    [InlineData(FutureState.Running)]
    [InlineData(FutureState.Cancelled)]
    [InlineData(FutureState.CancelledAndNotified)]
    public void ToString_NotFinished_ShowsTypeAndState(FutureState state)
    {
        FutureStates.In(state).ToString().Should().Be($"Future<Int32>(state={state})");
    }

    [Fact]
    public void ToString_FinishedWithResult_ShowsResultType()
    {
        FutureStates.Successful().ToString().Should().Be("Future<Int32>(state=Finished, returned Int32)");
    }

    [Fact]
    public void ToString_FinishedWithException_ShowsExceptionType()
    {
        FutureStates.Failed(new IOException()).ToString().Should().Be("Future<Int32>(state=Finished, raised IOException)");

        var f = new Future();
        f.SetException(new InvalidOperationException());
        f.ToString().Should().Be("Future(state=Finished, raised InvalidOperationException)");
    }

    [Fact]
    public void ToString_NonGeneric_ShowsNoResult()
    {
        var f = new Future();
        f.ToString().Should().Be("Future(state=Pending)");

        f.SetResult();
        f.ToString().Should().Be("Future(state=Finished)");
    }

    [Fact]
    public void ToString_PendingString_MatchesContractExample()
    {
        new Future<string>().ToString().Should().Be("Future<String>(state=Pending)");
    }

    [Fact]
    public void ToString_ResultOfDerivedType_ShowsRuntimeType()
    {
        // Like Python's repr, which names type(result), not a declared type.
        var f = new Future<object>();
        f.SetResult("text");

        f.ToString().Should().Be("Future<Object>(state=Finished, returned String)");
    }

    [Fact]
    public void ToString_NestedGenerics_UsesReadableNames()
    {
        var f = new Future<Dictionary<string, List<int>>>();
        f.ToString().Should().Be("Future<Dictionary<String, List<Int32>>>(state=Pending)");

        f.SetResult([]);
        f.ToString().Should().Be("Future<Dictionary<String, List<Int32>>>(state=Finished, returned Dictionary<String, List<Int32>>)");
    }

    [Fact]
    public void ToString_NullResult_DoesNotThrow()
    {
        var f = new Future<string?>();
        f.SetResult(null);

        f.ToString().Should().StartWith("Future<String>(state=Finished");
    }

    [Fact]
    public void ToString_SubclassOfFuture_ShowsSubclassName()
    {
        new CustomFuture().ToString().Should().Be("CustomFuture(state=Pending)");
    }

    private sealed class CustomFuture : Future<int>;
}
