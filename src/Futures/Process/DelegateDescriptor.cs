using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using Futures.ProcessPool.Protocol;

namespace Futures.ProcessPool;

/// <summary>
/// Decides whether a delegate can cross to a worker, and names its method for the worker.
/// </summary>
/// <remarks>
/// What crosses: a static method; a lambda that captures nothing (its target is the compiler's
/// <c>&lt;&gt;c</c> singleton, a compiler-generated class without instance fields, which the worker
/// makes for itself); or an instance method of the app's, with a copy of its target, which then
/// crosses by the codec's rules as pickle copies a bound method's instance (a static method
/// closed over its first argument likewise, the argument being the copy). A lambda that captures
/// variables — or <c>this</c> — is refused at Submit, naming what it captures: pass those as
/// arguments.
/// </remarks>
internal static class DelegateDescriptor
{
    /// <summary>
    /// Methods already checked and named, by method and target type (the check depends on both), e.g.
    /// <c>{(Work.Identity, null): MethodRef(...)}</c>. Naming a method takes reflection and a dozen
    /// allocations, paid once per method instead of at every Submit (measured: 448 ns and 376 B per
    /// Submit before, 182 ns and 0 B after; --process-quick describe). Only methods that passed are kept.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(MethodInfo Method, Type? Target), DescribedMethod> s_described = new();

    /// <summary>The method of <paramref name="function"/>, named for a worker, and whether its target crosses with it.</summary>
    /// <exception cref="ArgumentException">The delegate captures variables, is multicast, or was emitted at run time.</exception>
    public static DescribedMethod Describe(Delegate function, string paramName)
    {
        if (function.HasSingleTarget is false)
        {
            throw new ArgumentException("A process pool runs one method per call; a multicast delegate cannot be sent to a worker.", paramName);
        }
        MethodInfo method = function.Method;
        Type? targetType = function.Target?.GetType();
        if (s_described.TryGetValue((method, targetType), out DescribedMethod? known)) return known;
        if (method.DeclaringType is null || method.Module.Assembly.IsDynamic)
        {
            throw new ArgumentException(
                $"{method.Name} was emitted at run time (a DynamicMethod or compiled expression); a worker process can only run a method of an assembly it can load.", paramName);
        }
        Type? crossingTarget = null;
        if (function.Target is { } target)
        {
            Type type = target.GetType();
            bool closure = type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);
            if (closure ? !IsStateless(type) : method.Name.StartsWith('<'))
            {
                // A closure with variables, or a lambda that uses only this (it lives on the app's own class).
                throw new ArgumentException(CaptureMessage(function, target), paramName);
            }
            if (!closure)
            {
                // A method of the app's bound to its object: the object crosses too, as a copy.
                crossingTarget = method.IsStatic ? method.GetParameters()[0].ParameterType : method.DeclaringType;
            }
        }
        var described = new DescribedMethod(MethodRef.Of(method), crossingTarget)
        {
            IsCollectible = method.IsCollectible || targetType?.IsCollectible == true,
        };
        // Not for a collectible assembly: the cache would keep it loaded.
        // The cached one, if another thread got there first: the call headers are keyed by this object.
        if (!method.Module.Assembly.IsCollectible && targetType?.Assembly.IsCollectible != true) return s_described.GetOrAdd((method, targetType), described);
        return described;
    }

    /// <summary>A compiler-generated class with no instance fields: the <c>&lt;&gt;c</c> class of non-capturing lambdas.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "A closure's fields are used by its lambda's code, so no trimmer removes them; a trimmed app's generated hook keeps the submitting types whole.")]
    private static bool IsStateless(Type type) =>
        type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Length == 0;

    private static string CaptureMessage(Delegate function, object target)
    {
        Type type = target.GetType();
        MethodInfo method = function.Method;
        string what = type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
            ? $"captures {string.Join(", ", CapturedNames(method, type))}"
            : "captures this"; // a lambda that uses only this lives on the app's own class
        return $"The delegate passed to a process pool {what}. Only static methods, lambdas that capture nothing and " +
            "instance methods (with a copy of their object) can run in a worker process: pass the state as arguments " +
            "instead (Submit(fn, arg1, ...)), or make the lambda static.";
    }

    /// <summary>The variables the delegate's method really uses from its closure (<c>this</c> for the enclosing instance), read from its IL.</summary>
    private static IReadOnlyList<string> CapturedNames(MethodInfo method, Type closure) => ClosureReader.CapturedNames(method, closure);
}

/// <summary>A delegate's method as a worker finds it, and the declared type of its target when a copy of the target crosses with it.</summary>
/// <param name="Method">The method.</param>
/// <param name="TargetType">
/// Null: the worker needs no target from us (a static method, or the compiler's singleton for a
/// lambda that captures nothing). Else the type by which the target crosses: the method's declaring
/// type, or for a static method closed over its first argument, that parameter's type.
/// </param>
internal sealed record DescribedMethod(MethodRef Method, Type? TargetType)
{
    /// <summary>Whether the method or its target's type lives in a collectible assembly: nothing may keep it for good (see <see cref="CallHeaders"/>).</summary>
    public bool IsCollectible { get; init; }
}
