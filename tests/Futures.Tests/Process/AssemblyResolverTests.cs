using System.Reflection;
using Futures.ProcessPool.Protocol;
using Futures.ProcessPool.WorkerHost;
using Futures.Tests.Codec;

namespace Futures.Tests;

/// <summary>How a worker finds the method a call names: by token and module build (JIT), or by type and signature (a Native AOT parent, whose methods have no tokens).</summary>
public sealed class AssemblyResolverTests
{
    private static MethodRef ByName(Delegate d) => MethodRef.Of(d.Method) with { MetadataToken = 0, ModuleVersionId = Guid.Empty };

    private static object? Invoke(MethodRef r, params object?[] args)
    {
        var (method, target) = new AssemblyResolver().ResolveMethod(r);
        return method.Invoke(target, BindingFlags.DoNotWrapExceptions, null, args, null);
    }

    [Fact]
    public void ResolveMethod_ByTokenAndByName_FindTheSameMethod()
    {
        Invoke(MethodRef.Of(new Func<int, int, int>(ProcessTasks.Add).Method), 2, 3).Should().Be(5);
        Invoke(ByName(new Func<int, int, int>(ProcessTasks.Add)), 2, 3).Should().Be(5);
    }

    [Fact]
    public void ResolveMethod_ByName_ClosesGenericMethodsAndFindsLambdaSingletons()
    {
        Invoke(ByName(new Func<string, string>(FidelityTasks.Echo)), "x").Should().Be("x");
        Func<int, int> lambda = x => x * 7;
        Invoke(ByName(lambda), 6).Should().Be(42);
    }

    [Fact]
    public void ResolveMethod_ByName_TellsOverloadsApart()
    {
        Invoke(ByName(new Func<int, string>(Overloads.Of)), 1).Should().Be("int");
        Invoke(ByName(new Func<string, string>(Overloads.Of)), "s").Should().Be("string");
    }

    public static class Overloads
    {
        public static string Of(int _) => "int";

        public static string Of(string _) => "string";
    }
}
