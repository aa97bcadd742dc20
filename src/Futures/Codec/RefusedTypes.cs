using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Futures.Codec;

/// <summary>
/// The types whose values cannot cross to another process: they stand for something that lives
/// only where it was made (code, a running task or thread, an operating-system handle, a pointer),
/// so a copy would be a different thing under the same name.
/// </summary>
/// <remarks>
/// CPython's pickle refuses the same kinds (lambdas, threads, locks, open files). A value of such
/// a type is refused wherever it sits in the graph, naming the type and the place; <c>null</c> in a
/// slot of such a type crosses (it is just null). Types that own an unmanaged resource (they have a
/// finalizer) are refused too: building one from data on the receiving side is how deserialization
/// attacks run code, and a copy would not own the resource anyway.
/// </remarks>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
internal static class RefusedTypes
{
    /// <summary>Why each type examined is refused (null: it may cross), e.g. <c>{Thread: "a thread", Int32: null}</c>.</summary>
    private static readonly ConcurrentDictionary<Type, string?> s_reasons = new();

    /// <summary>Why values of <paramref name="type"/> cannot cross, as a noun phrase ("a delegate"); null when they can.</summary>
    public static string? Why(Type type) => s_reasons.GetOrAdd(type, Examine);

    private static string? Examine(Type type)
    {
        if (type.IsPointer || type.IsFunctionPointer || type.IsByRef) return "a pointer";
        if (type == typeof(IntPtr) || type == typeof(UIntPtr)) return "a native pointer or handle";
        if (typeof(Delegate).IsAssignableFrom(type)) return "a delegate (code)";
        if (typeof(Task).IsAssignableFrom(type) || type == typeof(ValueTask)
            || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return "a task";
        }
        if (typeof(Thread).IsAssignableFrom(type) || type == typeof(ExecutionContext) || typeof(SynchronizationContext).IsAssignableFrom(type))
        {
            return "a thread or its context";
        }
        if (typeof(WaitHandle).IsAssignableFrom(type) || typeof(SafeHandle).IsAssignableFrom(type) || typeof(CriticalHandle).IsAssignableFrom(type))
        {
            return "an operating-system handle";
        }
        if (type == typeof(CancellationToken) || type == typeof(CancellationTokenSource) || type == typeof(CancellationTokenRegistration))
        {
            return "a cancellation token";
        }
        if (typeof(MemberInfo).IsAssignableFrom(type) || typeof(Assembly).IsAssignableFrom(type) || typeof(Module).IsAssignableFrom(type))
        {
            return "a reflection object";
        }
        if (typeof(IEnumerable).IsAssignableFrom(type) && type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
        {
            return "an iterator (a method that yields): pass ToList() or ToArray() of it";
        }
        if (typeof(IEnumerable).IsAssignableFrom(type) && !type.IsVisible && FrameworkTypes.Contains(type))
        {
            return "a lazy sequence (such as a LINQ query): pass ToList() or ToArray() of it";
        }
        if (HasFinalizer(type)) return "an object that owns an unmanaged resource (it has a finalizer)";
        return null;
    }

    private static bool HasFinalizer(Type type)
    {
        if (type.IsValueType || type.IsInterface) return false;
        MethodInfo? finalize = type.GetMethod("Finalize", BindingFlags.Instance | BindingFlags.NonPublic, Type.EmptyTypes);
        return finalize is not null && finalize.DeclaringType != typeof(object);
    }
}
