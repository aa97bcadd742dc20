using Futures.ProcessPool;

namespace Futures.Tests;

/// <summary>
/// The run-time refusal of a capturing delegate names only the variables the delegate really
/// uses (read from its IL), never what other lambdas of the scope capture nor compiler names.
/// No worker is started: the check happens before anything is sent.
/// </summary>
public class CapturedNamesTests
{
    private int _field = 5;

    private static string RefusalOf(Delegate function) =>
        FluentActions.Invoking(() => DelegateDescriptor.Describe(function, "fn"))
            .Should().Throw<ArgumentException>().Which.Message;

    private static string Captured(Delegate function)
    {
        string message = RefusalOf(function);
        const string Prefix = "The delegate passed to a process pool captures ";
        message.Should().StartWith(Prefix);
        return message[Prefix.Length..message.IndexOf('.', Prefix.Length)];
    }

    [Fact]
    public void Describe_LambdaSharingItsClosure_NamesOnlyItsOwnCaptures()
    {
        int a = 1, b = 2;
        Func<int> other = () => a + b; // same closure class: its fields are a and b
        Func<int> mine = () => a;

        Captured(mine).Should().Be("a");
        Captured(other).Should().Be("a, b");
    }

    [Fact]
    public void Describe_NestedScopes_FollowsTheLinkToTheOuterClosure()
    {
        int outer = 1;
        Func<int>? captured = null;
        for (int i = 0; i < 1; i++)
        {
            int inner = i;
            Func<int> unused = () => inner * 2;
            captured = () => inner + outer;
        }

        Captured(captured!).Should().Be("inner, outer");
    }

    [Fact]
    public void Describe_ThisAndLocal_NamesThis()
    {
        int k = 1;
        Func<int> both = () => _field + k;
        Func<int> onlyThis = () => _field;

        Captured(both).Should().Be("this, k");
        Captured(onlyThis).Should().Be("this");
    }

    [Fact]
    public void Describe_CachedDelegateInTheClosure_NoCompilerNames()
    {
        int k = 1;
        var made = new List<Func<int>>();
        for (int i = 0; i < 2; i++) made.Add(() => k); // cached in a closure field named <>9__...
        Func<int> submitted = () => k + 1;

        string message = RefusalOf(submitted);
        message.Should().NotContain("<").And.NotContain("CS$");
        Captured(submitted).Should().Be("k");
        made.Should().HaveCount(2);
    }

    [Fact]
    public void Describe_AsyncLambda_ReadsItsStateMachine()
    {
        int k = 3, unused = 4;
        Func<int> other = () => unused;
        Func<int, Task<int>> asyncLambda = async x => { await Task.Yield(); return x + k; };

        Captured(asyncLambda).Should().Be("k");
        other().Should().Be(4);
    }

    [Fact]
    public void Describe_LocalFunctions_FollowedIntoTheirBodies()
    {
        int k = 2, j = 3;
        int Scale(int v) => v * k;
        IEnumerable<int> Repeat() { yield return j; }
        Func<int, int> callsLocal = v => Scale(v);
        Func<IEnumerable<int>> iterator = Repeat;

        Captured(callsLocal).Should().Be("k");
        Captured(iterator).Should().Be("j");
    }

    [Fact]
    public void Describe_InstanceMethod_CrossesWithACopyOfItsObject()
    {
        DelegateDescriptor.Describe(new Func<int>(Instance), "fn").TargetType.Should().Be(typeof(CapturedNamesTests));
    }

    [Fact]
    public void Describe_LambdaThatUsesOnlyThis_SaysItCapturesThis()
    {
        Captured(new Func<int>(() => _field + 1)).Should().Be("this");
    }

    private int Instance() => _field;
}
