using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Futures.Internal;

namespace Futures.ProcessPool.WorkerHost;

/// <summary>The value of an async call in a worker: the task its method returned, awaited on the worker's thread (contract v2, "Async work").</summary>
/// <remarks>
/// The worker has no SynchronizationContext, so the task's continuations run on the .NET thread
/// pool while the worker waits; <c>GetAwaiter().GetResult()</c> throws the task's own exception,
/// which then crosses back as any other.
/// </remarks>
internal static class AwaitedResult
{
    /// <summary><c>Task&lt;T&gt;.Result</c> by the task's run-time type (an async method's task is a subclass), e.g. <c>{AsyncStateMachineBox&lt;Int32, ...&gt;: Task&lt;Int32&gt;.Result}</c>.</summary>
    private static readonly ConcurrentDictionary<Type, PropertyInfo> s_results = new();

    /// <summary>Waits for <paramref name="returned"/>, a task, and gives its value (null for a plain <see cref="Task"/>).</summary>
    /// <exception cref="InvalidOperationException">The method returned no task.</exception>
    public static object? Of(object? returned, Type? resultType)
    {
        if (returned is not Task task) throw new InvalidOperationException(Messages.NullTask);
        task.GetAwaiter().GetResult();
        return resultType is null ? null : ResultProperty(task.GetType()).GetValue(task);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Task<T>.Result is public API that the task's own type has: the app's code awaits it.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "As above.")]
    private static PropertyInfo ResultProperty(Type taskType) => s_results.GetOrAdd(taskType, static t =>
    {
        for (Type? x = t; x is not null; x = x.BaseType)
        {
            if (x.IsGenericType && x.GetGenericTypeDefinition() == typeof(Task<>)) return x.GetProperty(nameof(Task<int>.Result))!;
        }
        throw new InvalidOperationException($"{t} is a Task with no result, where a result was declared.");
    });
}
