namespace Futures.Tests;

/// <summary>Set assertions by reference: BeEquivalentTo would compare futures member by member.</summary>
internal static class FutureSetAssertions
{
    public static void ShouldBeExactly<TFuture>(this IReadOnlySet<TFuture> actual, params TFuture[] expected)
        where TFuture : Future
    {
        actual.Should().HaveCount(expected.Length);
        if (expected.Length > 0) actual.Should().Contain(expected);
    }
}
