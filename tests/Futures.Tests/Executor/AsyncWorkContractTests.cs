namespace Futures.Tests;

/// <summary>
/// Contract v2, "Async work (every executor)": an async lambda or method binds to the
/// <c>Func&lt;Task&lt;T&gt;&gt;</c> / <c>Func&lt;Task&gt;</c> overloads of Submit, SubmitAsync, Map and
/// MapUnordered, and the future completes with the awaited result or the task's exception.
/// Subclassed per executor, like <see cref="ExecutorContractTests"/>.
/// </summary>
/// <remarks>
/// The work is static async lambdas and static async methods over plain arguments, so that an
/// executor that ships calls to another process or node can run the same suite.
/// </remarks>
public abstract class AsyncWorkContractTests : TestBase
{
    protected const int WorkerCount = 3;

    /// <summary>A new executor with <paramref name="maxWorkers"/> workers; the test disposes it.</summary>
    protected abstract Executor CreateExecutor(int maxWorkers);

    [Fact]
    public void Submit_AsyncLambdaOfEveryArity_ReturnsTheAwaitedResult()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        // Typed as Future<int>: a binding to Func<TResult> would give Future<Task<int>> and not compile.
        Future<int> f0 = ex.Submit(static async () => { await Task.Yield(); return 7; });
        Future<int> f1 = ex.Submit(static async x => { await Task.Yield(); return x * 2; }, 21);
        Future<string> f2 = ex.Submit(static async (int a, string b) => { await Task.Yield(); return b + a; }, 1, "x");
        Future<int> f3 = ex.Submit(static async (int a, int b, int c) => { await Task.Yield(); return a * 100 + b * 10 + c; }, 1, 2, 3);
        f0.Result(UnexpectedTimeout).Should().Be(7);
        f1.Result(UnexpectedTimeout).Should().Be(42);
        f2.Result(UnexpectedTimeout).Should().Be("x1");
        f3.Result(UnexpectedTimeout).Should().Be(123);
    }

    [Fact]
    public void Submit_AsyncMethodGroups_ReturnTheAwaitedResult()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        Future<int> f0 = ex.Submit(AsyncWork.SevenAsync);
        Future<int> f1 = ex.Submit(AsyncWork.DoubleAsync, 4);
        Future<int> f2 = ex.Submit(AsyncWork.AddAsync, 4, 5);
        Future<int> f3 = ex.Submit(AsyncWork.Add3Async, 1, 2, 3);
        f0.Result(UnexpectedTimeout).Should().Be(7);
        f1.Result(UnexpectedTimeout).Should().Be(8);
        f2.Result(UnexpectedTimeout).Should().Be(9);
        f3.Result(UnexpectedTimeout).Should().Be(6);
    }

    [Fact]
    public void Submit_AsyncLambdaWithoutResult_IsAPlainFutureDoneWhenTheTaskIs()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        Future[] fs =
        [
            ex.Submit(static async () => await Task.Yield()),
            ex.Submit(static async (int a) => { await Task.Yield(); AsyncWork.Check(a == 1); }, 1),
            ex.Submit(static async (int a, string b) => { await Task.Yield(); AsyncWork.Check(a == 1 && b == "two"); }, 1, "two"),
            ex.Submit(static async (int a, int b, int c) => { await Task.Yield(); AsyncWork.Check(a + b + c == 6); }, 1, 2, 3),
            ex.Submit(AsyncWork.NothingAsync),
        ];
        foreach (Future f in fs)
        {
            f.Should().BeOfType<Future>("an async lambda without a result binds to Func<Task>, neither to Action (async void) nor to Func<Task> as a result");
            f.Exception(UnexpectedTimeout).Should().BeNull();
        }
    }

    [Fact]
    public void Submit_AsyncLambdaThrowsAfterAwaiting_FutureHoldsThatExceptionNotAnAggregate()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        Future<int> f = ex.Submit(static async (string m) => { await Task.Yield(); return AsyncWork.Throw<int>(m); }, "late");
        Exception? e = f.Exception(UnexpectedTimeout);
        e.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("late");
        f.Invoking(x => x.Result()).Should().Throw<InvalidOperationException>().WithMessage("late");
    }

    [Fact]
    public void Submit_AsyncFunctionWithoutResultThrows_FutureHoldsThatException()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        Future f = ex.Submit(static async (string m) => { await Task.Yield(); AsyncWork.Throw<int>(m); }, "boom");
        f.Exception(UnexpectedTimeout).Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("boom");
    }

    [Fact]
    public async Task SubmitAsync_AsyncFunctions_ReturnTheAwaitedResult()
    {
        await using Executor ex = CreateExecutor(WorkerCount);
        Future<int> f0 = await ex.SubmitAsync(static async () => { await Task.Yield(); return 7; });
        Future<int> f1 = await ex.SubmitAsync(AsyncWork.DoubleAsync, 21);
        Future<int> f2 = await ex.SubmitAsync(AsyncWork.AddAsync, 1, 2);
        Future<int> f3 = await ex.SubmitAsync(AsyncWork.Add3Async, 1, 2, 3);
        Future f4 = await ex.SubmitAsync(static async () => await Task.Yield());
        Future f5 = await ex.SubmitAsync(static async (int a) => { await Task.Yield(); AsyncWork.Check(a == 1); }, 1);
        Future f6 = await ex.SubmitAsync(static async (int a, int b) => { await Task.Yield(); AsyncWork.Check(a < b); }, 1, 2);
        Future f7 = await ex.SubmitAsync(static async (int a, int b, int c) => { await Task.Yield(); AsyncWork.Check(a < b && b < c); }, 1, 2, 3);
        (await f0).Should().Be(7);
        (await f1).Should().Be(42);
        (await f2).Should().Be(3);
        (await f3).Should().Be(6);
        foreach (Future f in new[] { f4, f5, f6, f7 })
        {
            f.Should().BeOfType<Future>();
            await f;
        }
    }

    [Fact]
    public void Map_AsyncFunction_YieldsTheAwaitedResultsInOrder()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        ex.Map(AsyncWork.DoubleAsync, [1, 2, 3, 4], UnexpectedTimeout).Should().Equal(2, 4, 6, 8);
        ex.Map(AsyncWork.AddAsync, [1, 2, 3], [10, 20], UnexpectedTimeout).Should().Equal(11, 22);
        ex.Map(static async (int x) => { await Task.Yield(); return x.ToString(); }, [5], UnexpectedTimeout).Should().Equal("5");
        ex.MapUnordered(AsyncWork.DoubleAsync, [1, 2, 3], UnexpectedTimeout).Should().BeEquivalentTo([2, 4, 6]);
    }

    [Fact]
    public async Task NullAsyncFunction_Throws()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        ex.Invoking(e => e.Submit((Func<Task<int>>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("fn");
        ex.Invoking(e => e.Submit((Func<int, int, int, Task>)null!, 1, 2, 3)).Should().Throw<ArgumentNullException>();
        ex.Invoking(e => e.Map((Func<int, Task<int>>)null!, [1])).Should().Throw<ArgumentNullException>();
        Func<Task> submit = async () => await ex.SubmitAsync((Func<int, Task>)null!, 1);
        await submit.Should().ThrowAsync<ArgumentNullException>();
    }

    [Fact]
    public void Map_AsyncFunctionThrows_ThrowsAtItsValue()
    {
        using Executor ex = CreateExecutor(WorkerCount);
        using IEnumerator<int> it = ex.Map(static async (int x) => { await Task.Yield(); return x == 2 ? AsyncWork.Throw<int>("two") : x; }, [1, 2, 3], UnexpectedTimeout).GetEnumerator();
        it.MoveNext().Should().BeTrue();
        it.Current.Should().Be(1);
        it.Invoking(i => i.MoveNext()).Should().Throw<InvalidOperationException>().WithMessage("two");
    }
}

/// <summary>Static async work for <see cref="AsyncWorkContractTests"/> (method groups, and helpers of the static lambdas).</summary>
public static class AsyncWork
{
    public static async Task<int> SevenAsync()
    {
        await Task.Yield();
        return 7;
    }

    public static async Task<int> DoubleAsync(int x)
    {
        await Task.Yield();
        return x * 2;
    }

    public static async Task<int> AddAsync(int a, int b)
    {
        await Task.Yield();
        return a + b;
    }

    public static async Task<int> Add3Async(int a, int b, int c)
    {
        await Task.Yield();
        return a + b + c;
    }

    public static async Task NothingAsync() => await Task.Yield();

    public static T Throw<T>(string message) => throw new InvalidOperationException(message);

    public static void Check(bool condition)
    {
        if (!condition) throw new InvalidOperationException("wrong arguments");
    }
}

/// <summary>The async-work suite on a custom executor that overrides only Schedule and Shutdown.</summary>
public sealed class CustomExecutorAsyncWorkContractTests : AsyncWorkContractTests
{
    protected override Executor CreateExecutor(int maxWorkers) => new ThreadPerItemExecutor();
}
