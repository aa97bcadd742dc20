using V = Futures.Analyzers.Tests.Verify<Futures.Analyzers.AsyncVoidAnalyzer>;

namespace Futures.Analyzers.Tests;

public class AsyncVoidAnalyzerTests
{
    [Fact]
    public Task AsyncVoidMethodOrLambdaAsAction_Reported() => V.AnalyzerAsync("""
        class C
        {
            static async void Fire() => await Task.Yield();
            void M(ThreadPoolExecutor threads, ProcessPoolExecutor pool, Executor any)
            {
                threads.Submit({|#0:Fire|});
                any.Submit({|#1:(Action<int>)(async x => await Task.Delay(x))|}, 1);
                pool.Submit({|#2:(Action)(async () => await Task.Yield())|});
                Action a = async () => await Task.Yield();
                threads.Submit(a); // a variable: where it came from is not followed
            }
        }
        """,
        V.Diagnostic(Descriptors.AsyncVoid, 0).WithArguments("method Fire", "ThreadPoolExecutor", "Submit", "Action"),
        V.Diagnostic(Descriptors.AsyncVoid, 1).WithArguments("lambda", "Executor", "Submit", "Action<int>"),
        V.Diagnostic(Descriptors.AsyncVoid, 2).WithArguments("lambda", "ProcessPoolExecutor", "Submit", "Action"));

    [Fact]
    public Task AsyncReturningTask_NoDiagnostic() => V.AnalyzerAsync("""
        class C
        {
            static async Task<int> Compute() { await Task.Yield(); return 1; }
            void M(ThreadPoolExecutor threads)
            {
                threads.Submit(async () => await Task.Yield());
                threads.Submit<int>(async x => await Task.Delay(x), 1); // binds to Submit(Func<int, Task>, int): awaited
                threads.Submit(Compute);
                threads.Submit(() => { });
            }
        }
        """);
}
