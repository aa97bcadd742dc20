namespace Futures.Tests;

/// <summary>
/// Contract v2, "Done-callbacks that throw": with nobody subscribed to <see cref="Future.CallbackFailed"/>,
/// the failure is written to standard error as CPython's logger does; with a subscriber, only the
/// event is raised. The event is static and other tests subscribe, so each case runs in a process
/// of its own (Futures.TestApp).
/// </summary>
public sealed class CallbackFailedReportTests : TestBase
{
    [Fact]
    public void CallbackThrows_NobodySubscribed_WritesToStandardErrorAsCPythonLogs()
    {
        TestApp.Result r = TestApp.Run("callback-throws", "unsubscribed");
        r.ExitCode.Should().Be(0);
        r.Stdout.Trim().Should().Be("after");
        string[] lines = r.Stderr.ReplaceLineEndings("\n").Split('\n');
        lines[0].Should().Be("exception calling callback for Future<Int32>(state=Finished, returned Int32)");
        lines[1].Should().Be("System.InvalidOperationException: boom in callback");
        lines[2].Should().StartWith("   at ", "the exception's ToString(), stack trace included, follows");
    }

    [Fact]
    public void CallbackThrows_Subscribed_OnlyTheEventIsRaised()
    {
        TestApp.Result r = TestApp.Run("callback-throws", "subscribed");
        r.ExitCode.Should().Be(0);
        r.Stderr.Should().BeEmpty();
        r.Stdout.ReplaceLineEndings("\n").Trim().Should().Be("event: boom in callback\nafter");
    }
}
