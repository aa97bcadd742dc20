using Microsoft.CodeAnalysis.Testing;
using V = Futures.Analyzers.Tests.Verify<Futures.Analyzers.TrimmedCrossingAnalyzer>;

namespace Futures.Analyzers.Tests;

public class TrimmedCrossingAnalyzerTests
{
    private const string Source = """
        record Point(int X, int Y);
        class C
        {
            static int Norm(Point p) => p.X;
            static object Box(int x) => x;
            static List<int> Range(int n, Dictionary<string, double?> weights, DayOfWeek day) => new();
            static Task<int> Start() => Task.FromResult(1);
            void M(ProcessPoolExecutor pool, ThreadPoolExecutor threads, Executor any)
            {
                pool.Submit(Norm, {|#0:new Point(1, 2)|});
                any.Submit({|#1:Box|}, 1);
                pool.Submit(Range, 3, new Dictionary<string, double?>(), DayOfWeek.Monday);
                pool.Submit<Task<int>>(Start); // cannot cross at all: FUT004's
                threads.Submit(Norm, new Point(1, 2)); // stays in the process
            }
        }
        """;

    private static DiagnosticResult Fut005(int location, string what, string receiver, string type) =>
        V.Diagnostic(Descriptors.UndescribedType, location).WithArguments(what, receiver, "Submit", type);

    [Theory]
    [InlineData("PublishAot = true")]
    [InlineData("PublishTrimmed = True")]
    [InlineData("IsAotCompatible = true")]
    public Task TrimmedOrAot_TypesTheGeneratorCannotDescribe_Reported(string property) => V.AnalyzerWithBuildAsync(Source, property,
        Fut005(0, "Argument 1", "ProcessPoolExecutor", "Point"),
        Fut005(1, "The result", "Executor", "object"));

    [Theory]
    [InlineData("")]
    [InlineData("PublishAot = false\nPublishTrimmed = ")]
    public Task JitApp_NoDiagnostic(string properties) =>
        V.AnalyzerWithBuildAsync(Source.Replace("{|#0:", "").Replace("{|#1:", "").Replace("|}", ""), properties);
}
