namespace Futures.Tests;

/// <summary>The submitter's ExecutionContext (so AsyncLocal values) flows into the work, as with Task.Run, and nothing leaks between items.</summary>
public sealed class ExecutionContextTests : TestBase
{
    private static readonly AsyncLocal<string?> s_local = new();

    public static TheoryData<string> Executors => ["thread-pool", "thread-per-item", "inline"];

    private static Executor Create(string kind) => kind switch
    {
        "thread-pool" => new ThreadPoolExecutor(1),
        "thread-per-item" => new ThreadPerItemExecutor(),
        _ => new InlineExecutor(),
    };

    [Theory]
    [MemberData(nameof(Executors))]
    public void Submit_AsyncLocalSet_WorkSeesIt(string kind)
    {
        using Executor ex = Create(kind);
        s_local.Value = "submitter";
        try
        {
            ex.Submit(static string? () => s_local.Value).Result(UnexpectedTimeout).Should().Be("submitter");
            ex.Map(static (int _) => s_local.Value, [1, 2]).Should().Equal("submitter", "submitter");
        }
        finally
        {
            s_local.Value = null;
        }
    }

    [Fact]
    public async Task SubmitAsync_AsyncLocalSet_WorkSeesIt()
    {
        await using var ex = new ThreadPoolExecutor(1);
        s_local.Value = "async submitter";
        try
        {
            Future<string?> f = await ex.SubmitAsync(static string? () => s_local.Value);
            f.Result(UnexpectedTimeout).Should().Be("async submitter");
        }
        finally
        {
            s_local.Value = null;
        }
    }

    [Fact]
    public async Task Submit_EachSubmitterOwnValue_EachWorkSeesItsOwn()
    {
        using var ex = new ThreadPoolExecutor(1);
        var futures = new Future<string?>[4];
        for (int i = 0; i < futures.Length; i++)
        {
            // Each submission from its own async flow, all on the one worker thread.
            string value = $"value {i}";
            futures[i] = await Task.Run(() =>
            {
                s_local.Value = value;
                return ex.Submit(static string? () => s_local.Value);
            });
        }
        for (int i = 0; i < futures.Length; i++) futures[i].Result(UnexpectedTimeout).Should().Be($"value {i}");
    }

    [Fact]
    public void Submit_WorkSetsAsyncLocal_DoesNotLeakIntoNextItemOnTheWorker()
    {
        using var ex = new ThreadPoolExecutor(1);
        ex.Submit(static () => { s_local.Value = "leaked"; }).Result(UnexpectedTimeout);
        ex.Submit(static string? () => s_local.Value).Result(UnexpectedTimeout).Should().BeNull();
        ex.ThreadCount.Should().Be(1, "both items ran on the one worker");
        s_local.Value.Should().BeNull("nor back into the submitter");
    }

    [Fact]
    public void Submit_FlowSuppressed_WorkSeesNoValueOfWhoeverStartedTheWorker()
    {
        using var ex = new ThreadPoolExecutor(1);
        s_local.Value = "first submitter";
        try
        {
            // This submission starts the worker thread, with "first submitter" as the ambient value.
            ex.Submit(static string? () => s_local.Value).Result(UnexpectedTimeout).Should().Be("first submitter");
            Future<string?> f;
            using (ExecutionContext.SuppressFlow())
            {
                f = ex.Submit(static string? () => s_local.Value);
            }
            f.Result(UnexpectedTimeout).Should().BeNull("as with Task.Run, suppressed flow means the default context");
        }
        finally
        {
            s_local.Value = null;
        }
    }

    [Fact]
    public void Initializer_RunsWithoutTheSubmittersContext()
    {
        string? seen = "not run";
        using var ex = new ThreadPoolExecutor(1, initializer: () => seen = s_local.Value);
        s_local.Value = "submitter";
        try
        {
            ex.Submit(static () => 0).Result(UnexpectedTimeout);
        }
        finally
        {
            s_local.Value = null;
        }
        seen.Should().BeNull("a worker belongs to the pool, not to the submitter that happened to start it");
    }
}
