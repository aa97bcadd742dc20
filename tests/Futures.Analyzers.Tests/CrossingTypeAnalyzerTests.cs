using Microsoft.CodeAnalysis.Testing;
using V = Futures.Analyzers.Tests.Verify<Futures.Analyzers.CrossingTypeAnalyzer>;

namespace Futures.Analyzers.Tests;

public class CrossingTypeAnalyzerTests
{
    private static DiagnosticResult Fut004(int location, string what, string receiver, string method, string type, string where, string reason) =>
        V.Diagnostic(Descriptors.NonCrossingType, location).WithArguments(what, receiver, method, type, where, reason);

    private const string Delegate = "a delegate, code bound to this process";
    private const string Task = "a task, an operation running in this process";
    private const string Handle = "a handle, valid only in the process that opened it";

    [Fact]
    public Task ArgumentsAndResults_ThatCannotCross_Reported() => V.AnalyzerAsync("""
        class C
        {
            static int Call(Func<int> f) => f();
            static Task<int> Start() => Task.FromResult(1);
            static Thread Current() => Thread.CurrentThread;
            static int Wait(List<ManualResetEvent> events) => events.Count;
            void M(ProcessPoolExecutor pool, OrleansExecutor cluster, Func<int> f)
            {
                pool.Submit(Call, {|#0:f|});
                pool.Submit<Task<int>>({|#1:Start|});
                cluster.Submit({|#2:Current|});
                foreach (int n in pool.Map(Wait, {|#3:new[] { new List<ManualResetEvent>() }|})) { }
            }
        }
        """,
        Fut004(0, "Argument 1", "ProcessPoolExecutor", "Submit", "Func<int>", "Func<int>", Delegate),
        Fut004(1, "The result", "ProcessPoolExecutor", "Submit", "Task<int>", "Task<int>", Task),
        Fut004(2, "The result", "OrleansExecutor", "Submit", "Thread", "Thread", "a thread of this process"),
        Fut004(3, "Argument 1", "ProcessPoolExecutor", "Map", "List<ManualResetEvent>", "ManualResetEvent", Handle));

    [Fact]
    public Task FieldsOfTheAppsOwnTypes_Reported() => V.AnalyzerAsync("""
        class Job
        {
            public int Id;
            public Func<int>? Callback;
        }
        record Outcome(int Value)
        {
            public Task? Pending { get; init; }
            public int Doubled => Value * 2;
        }
        class Derived : Job { public string Name = ""; }
        class C
        {
            static int Run(Job job) => job.Id;
            static Outcome Make(int x) => new(x);
            static int Name(Derived d) => d.Id;
            void M(ProcessPoolExecutor pool)
            {
                pool.Submit(Run, {|#0:new Job()|});
                pool.Submit({|#1:Make|}, 1);
                pool.Submit(Name, {|#2:new Derived()|});
            }
        }
        """,
        Fut004(0, "Argument 1", "ProcessPoolExecutor", "Submit", "Job", "Job.Callback", Delegate),
        Fut004(1, "The result", "ProcessPoolExecutor", "Submit", "Outcome", "Outcome.Pending", Task),
        Fut004(2, "Argument 1", "ProcessPoolExecutor", "Submit", "Derived", "Derived.Callback", Delegate));

    [Fact]
    public Task DataAndInProcessExecutors_NoDiagnostic() => V.AnalyzerAsync("""
        class Node { public int Value; public Node? Next; public List<Node> Children = new(); }
        class C
        {
            static double Sum(double[] xs, List<int> ys, Dictionary<string, Node> map) => 0;
            static Task<int> Start() => Task.FromResult(1);
            static int Call(Func<int> f) => f();
            void M(ProcessPoolExecutor pool, ThreadPoolExecutor threads, Executor any)
            {
                pool.Submit(Sum, new double[0], new List<int>(), new Dictionary<string, Node>());
                pool.Submit(static () => new CancellationTokenSource().Token.IsCancellationRequested);
                threads.Submit(Start);
                threads.Submit(Call, () => 1);
                any.Submit(Call, () => 1);
            }
        }
        """);
}
