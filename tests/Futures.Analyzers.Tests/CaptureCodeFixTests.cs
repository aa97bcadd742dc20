using V = Futures.Analyzers.Tests.Verify<Futures.Analyzers.CaptureAnalyzer>;

namespace Futures.Analyzers.Tests;

public class CaptureCodeFixTests
{
    private static Task FixAsync(string body, string fixedBody) => V.CodeFixAsync<CaptureCodeFix>(Wrap(body), Wrap(fixedBody));

    private static string Wrap(string body) => $$"""
        class C
        {
            static int F(int x) => x;
            private int _field;
            async Task M(ProcessPoolExecutor pool, int p, CancellationToken ct)
            {
                int k = 1, j = 2;
                {{body}}
            }
        }
        """;

    [Fact]
    public Task NoArguments_CapturedLocalBecomesTheArgument() => FixAsync(
        "pool.Submit({|FUT001:() => F(k)|});",
        "pool.Submit(static k => F(k), k);");

    [Fact]
    public Task ExistingArguments_CapturesGoAfterThem() => FixAsync(
        "pool.Submit({|FUT001:x => x + k + p|}, 1);",
        "pool.Submit(static (x, k, p) => x + k + p, 1, k, p);");

    [Fact]
    public Task TypedParameters_CapturesTyped() => FixAsync(
        "pool.Submit({|FUT001:(int x) => { return x * k; }|}, 1);",
        "pool.Submit(static (int x, int k) => { return x * k; }, 1, k);");

    [Fact]
    public Task SubmitAsync_CapturesGoBeforeTheToken() => FixAsync(
        "await pool.SubmitAsync({|FUT001:() => k * j|}, ct);",
        "await pool.SubmitAsync(static (k, j) => k * j, k, j, ct);");

    [Theory]
    [InlineData("pool.Submit({|FUT001:() => _field + k|});")]                       // this cannot be an argument
    [InlineData("pool.Submit({|FUT001:() => k++|});")]                               // written: an argument would be a copy
    [InlineData("pool.Submit({|FUT001:(int a, int b) => a + b + k + j|}, 1, 2);")]   // no 4-argument Submit
    [InlineData("foreach (int r in pool.Map({|FUT001:x => x + k|}, new[] { 1 })) { }")] // Map has no extra arguments
    [InlineData("pool.Submit<int>({|FUT001:() => k|});")]                            // explicit type arguments
    public Task NotObvious_NoFix(string body) => FixAsync(body, body);
}
