using Microsoft.CodeAnalysis.Testing;
using V = Futures.Analyzers.Tests.Verify<Futures.Analyzers.CaptureAnalyzer>;

namespace Futures.Analyzers.Tests;

public class CaptureAnalyzerTests
{
    private static DiagnosticResult Fut001(int location, string kind, string receiver, string method, string names, string them) =>
        V.Diagnostic(Descriptors.CapturingDelegate, location).WithArguments(kind, receiver, method, names, them);

    [Fact]
    public Task Submit_LambdaCapturingLocal_NamesOnlyWhatItCaptures() => V.AnalyzerAsync("""
        class C
        {
            static int F(int x) => x;
            void M(ProcessPoolExecutor pool)
            {
                int k = 1, unused = 2;
                Func<int> other = () => k + unused; // shares the closure class with the lambda below
                pool.Submit({|#0:() => F(k)|});
            }
        }
        """, Fut001(0, "lambda", "ProcessPoolExecutor", "Submit", "k", "k as an argument"));

    [Fact]
    public Task Submit_LambdaCapturingThisAndParameter_NamesBoth() => V.AnalyzerAsync("""
        class C
        {
            private int _scale = 3;
            void M(ProcessPoolExecutor pool, int offset)
            {
                pool.Submit({|#0:(int x) => x * _scale + offset|}, 2);
            }
        }
        """, Fut001(0, "lambda", "ProcessPoolExecutor", "Submit", "this, offset", "them as arguments"));

    [Fact]
    public Task Submit_NonCapturingOrStatic_NoDiagnostic() => V.AnalyzerAsync("""
        class C
        {
            const int Limit = 10;
            static int s_total;
            static int Square(int x) => x * x;
            int Instance(int x) => x;
            void M(ProcessPoolExecutor pool)
            {
                const int local = 4;
                pool.Submit(() => Limit + local + s_total);
                pool.Submit(static x => x + 1, 1);
                pool.Submit(x => { Func<int, int> inner = y => x + y; return inner(x); }, 2);
                pool.Submit(Square, 3);
                pool.Submit(Instance, 3); // FUT002 reserved: instance methods cross with a copy of their target
                pool.Submit(delegate (int x) { return x; }, 5);
            }
        }
        """);

    [Fact]
    public Task Submit_OtherReceivers_NoDiagnostic() => V.AnalyzerAsync("""
        class C
        {
            void M(ThreadPoolExecutor threads, Executor any)
            {
                int k = 1;
                threads.Submit(() => k);
                any.Submit(() => k); // the static type decides: an Executor may run in-process
            }
        }
        """);

    [Fact]
    public Task EveryMethod_OnProcessPoolAndCluster_Reported() => V.AnalyzerAsync("""
        class C
        {
            async Task M(ProcessPoolExecutor pool, OrleansExecutor cluster, int[] items)
            {
                int k = 1;
                pool.Map({|#0:x => x + k|}, items);
                cluster.MapUnordered({|#1:x => x * k|}, items);
                cluster.Submit({|#2:delegate { return k; }|});
                await pool.SubmitAsync({|#3:() => k|});
            }
        }
        """,
        Fut001(0, "lambda", "ProcessPoolExecutor", "Map", "k", "k as an argument"),
        Fut001(1, "lambda", "OrleansExecutor", "MapUnordered", "k", "k as an argument"),
        Fut001(2, "anonymous method", "OrleansExecutor", "Submit", "k", "k as an argument"),
        Fut001(3, "lambda", "ProcessPoolExecutor", "SubmitAsync", "k", "k as an argument"));

    [Fact]
    public Task LocalFunctions_CapturesFollowed() => V.AnalyzerAsync("""
        class C
        {
            void M(ProcessPoolExecutor pool)
            {
                int k = 1, j = 2;
                int Scaled(int x) => x * k;
                static int Pure(int x) => x;
                int NoCapture(int x) { int y = x; return y; }
                pool.Submit({|#0:Scaled|}, 1);
                pool.Submit({|#1:x => Scaled(x) + j|}, 1);
                pool.Submit(Pure, 1);
                pool.Submit(NoCapture, 1);
                pool.Submit(x => NoCapture(x), 1);
            }
        }
        """,
        Fut001(0, "local function", "ProcessPoolExecutor", "Submit", "k", "k as an argument"),
        Fut001(1, "lambda", "ProcessPoolExecutor", "Submit", "k, j", "them as arguments"));
}
