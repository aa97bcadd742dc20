using System.Reflection;
using System.Runtime.CompilerServices;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>
/// Decides whether a delegate can cross to a worker, and names its method for the worker.
/// </summary>
/// <remarks>
/// What crosses is a method, never an object: a static method, or a lambda that captures nothing
/// (its target is the compiler's <c>&lt;&gt;c</c> singleton, a compiler-generated class without
/// instance fields, which the worker makes for itself). Anything else carries state that would
/// silently be lost, so it is rejected at Submit, naming the captured variables.
/// </remarks>
internal static class DelegateDescriptor
{
    /// <summary>
    /// Methods already checked and named, by method and target type (the check depends on both), e.g.
    /// <c>{(Work.Identity, null): MethodRef(...)}</c>. Naming a method takes reflection and a dozen
    /// allocations, paid once per method instead of at every Submit (measured: 448 ns and 376 B per
    /// Submit before, 182 ns and 0 B after; --process-quick describe). Only methods that passed are kept.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(MethodInfo Method, Type? Target), MethodRef> s_described = new();

    /// <summary>The method of <paramref name="function"/>, named for a worker.</summary>
    /// <exception cref="ArgumentException">The delegate captures state, is multicast, or was emitted at run time.</exception>
    public static MethodRef Describe(Delegate function, string paramName)
    {
        if (function.HasSingleTarget is false)
        {
            throw new ArgumentException("A process pool runs one method per call; a multicast delegate cannot be sent to a worker.", paramName);
        }
        MethodInfo method = function.Method;
        Type? targetType = function.Target?.GetType();
        if (s_described.TryGetValue((method, targetType), out MethodRef? known)) return known;
        if (method.DeclaringType is null || method.Module.Assembly.IsDynamic)
        {
            throw new ArgumentException(
                $"{method.Name} was emitted at run time (a DynamicMethod or compiled expression); a worker process can only run a method of an assembly it can load.", paramName);
        }
        if (function.Target is { } target && !IsStateless(target.GetType()))
        {
            throw new ArgumentException(CaptureMessage(function, target), paramName);
        }
        MethodRef described = MethodRef.Of(method);
        // Not for a collectible assembly: the cache would keep it loaded.
        if (!method.Module.Assembly.IsCollectible && targetType?.Assembly.IsCollectible != true) s_described.TryAdd((method, targetType), described);
        return described;
    }

    /// <summary>A compiler-generated class with no instance fields: the <c>&lt;&gt;c</c> class of non-capturing lambdas.</summary>
    private static bool IsStateless(Type type) =>
        type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
        && type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Length == 0;

    private static string CaptureMessage(Delegate function, object target)
    {
        Type type = target.GetType();
        MethodInfo method = function.Method;
        string what = type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
            ? $"captures {string.Join(", ", CapturedNames(method, type))}"
            : method.Name.StartsWith('<') ? "captures this" // a lambda that uses only this lives on the app's own class
            : $"is bound to an instance of {type.FullName} ({method.Name} is an instance method)";
        return $"The delegate passed to a process pool {what}. Only static methods and lambdas that capture nothing " +
            "can run in a worker process: pass the state as arguments instead (Submit(fn, arg1, ...)), " +
            "or make the lambda static.";
    }

    /// <summary>The variables the delegate's method really uses from its closure (<c>this</c> for the enclosing instance), read from its IL.</summary>
    private static IReadOnlyList<string> CapturedNames(MethodInfo method, Type closure) => ClosureReader.CapturedNames(method, closure);
}
