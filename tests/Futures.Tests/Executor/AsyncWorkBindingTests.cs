using Futures.Internal;

namespace Futures.Tests;

/// <summary>
/// Which overload a call binds to once the async overloads exist (checked by the compiler: each
/// future is assigned to the type the binding must give), and what a work item tells an executor
/// that ships calls elsewhere: <see cref="WorkItem.Function"/> stays the user's delegate, and
/// <see cref="WorkItem.IsAsync"/> says that its task must be awaited there.
/// </summary>
public sealed class AsyncWorkBindingTests : TestBase
{
    private static int Square(int x) => x * x;

    private static void Ignore(int x) { }

    private static async Task<int> SquareAsync(int x)
    {
        await Task.Yield();
        return x * x;
    }

    [Fact]
    public void SynchronousCalls_BindAsBefore()
    {
        using var ex = new ManualExecutor();
        Future<int> f0 = ex.Submit(static () => 1);
        Future<int> f1 = ex.Submit(Square, 3);
        Future f2 = ex.Submit(static () => { });
        Future f3 = ex.Submit(Ignore, 3);
        Future<string> f4 = ex.Submit(static (int a, string b) => b + a, 1, "x");
        ex.RunAll();
        f0.Result().Should().Be(1);
        f1.Result().Should().Be(9);
        f2.Should().BeOfType<Future>();
        f3.Should().BeOfType<Future>();
        f4.Result().Should().Be("x1");
        ex.Items.Should().OnlyContain(item => !item.IsAsync);
    }

    [Fact]
    public void AsyncLambdasAndMethods_BindToTheTaskOverloads()
    {
        using var ex = new ManualExecutor();
        Func<int, Task<int>> typed = SquareAsync;
        Future<int> f0 = ex.Submit(async () => { await Task.Yield(); return 1; });
        Future<int> f1 = ex.Submit(async x => { await Task.Yield(); return x + 1; }, 1);
        Future<int> f2 = ex.Submit(SquareAsync, 3);
        Future<int> f3 = ex.Submit(typed, 4);
        Future<int> f4 = ex.Submit(static () => Task.FromResult(5)); // not async, but returns a task: awaited, as Task.Run does
        Future f5 = ex.Submit(async () => await Task.Yield());
        ex.RunAll();
        f0.Result().Should().Be(1);
        f1.Result().Should().Be(2);
        f2.Result().Should().Be(9);
        f3.Result().Should().Be(16);
        f4.Result().Should().Be(5);
        f5.Should().BeOfType<Future>();
        f5.Done().Should().BeTrue();
        ex.Items.Should().OnlyContain(item => item.IsAsync);
    }

    [Fact]
    public void TaskAsTheResult_StillPossibleWithAnExplicitTypeArgument()
    {
        using var ex = new ManualExecutor();
        Task<int> task = Task.FromResult(3);
        Future<Task<int>> f = ex.Submit<Task<int>>(() => task);
        ex.RunAll();
        f.Result().Should().BeSameAs(task);
        ex.Items.Single().IsAsync.Should().BeFalse();
    }

    [Fact]
    public void AsyncItem_FunctionIsTheUsersDelegate()
    {
        using var ex = new ManualExecutor();
        Func<int, Task<int>> fn = SquareAsync;
        ex.Submit(fn, 2);
        ex.Items.Single().Function.Should().BeSameAs(fn);
        ex.Items.Single().GetArguments().Should().Equal(2);
        ex.RunAll();
    }

    [Fact]
    public void AsyncMap_ItemsAndChunksAreAsync()
    {
        using var ex = new ManualExecutor();
        IEnumerable<int> results = ex.Map(SquareAsync, [1, 2]);
        ex.Items.Should().HaveCount(2).And.OnlyContain(item => item.IsAsync);
        ex.RunAll();
        results.Should().Equal(1, 4);

        // A chunk (made where an executor batches Map calls) is async when its elements are.
        var chunk = new CallWorkItem<ValueTuple<ValueTuple<int>[]>, int[]>(new Func<int, Task<int>>(SquareAsync), new ValueTuple<ValueTuple<int>[]>([new(3)]),
            ChunkInvoker<ValueTuple<int>, int>.Create(AsyncInvoker<ValueTuple<int>, int>.Create(static (f, a) => ((Func<int, Task<int>>)f)(a.Item1))));
        chunk.IsMapChunk.Should().BeTrue();
        chunk.IsAsync.Should().BeTrue();
        chunk.Run();
        ((Future<int[]>)chunk.Future).Result().Should().Equal(9);
    }
}
