using Microsoft.CodeAnalysis;

namespace Futures.Analyzers;

/// <summary>
/// Every diagnostic of the Futures build-time tools, one table, IDs stable (API.md, contract v2,
/// "Compile-time checks"). The README's "Compile-time checks" table documents the same rows.
/// </summary>
/// <remarks>
/// FUT002 is reserved: instance methods cross with a copy of their target (API.md, "Data across
/// the boundary"), so a method group bound to an instance is not reported.
/// </remarks>
internal static class Descriptors
{
    private const string Usage = "Usage";

    /// <summary>FUT001: a delegate that captures state sent to a process pool or a cluster.</summary>
    public static readonly DiagnosticDescriptor CapturingDelegate = new(
        id: "FUT001",
        title: "A delegate sent to another process captures state",
        messageFormat: "The {0} passed to {1}.{2} captures {3}; a worker process receives the method, not the captured state: pass {4} (Submit(fn, arg1, ...)) or make the {0} static",
        category: Usage,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "ProcessPoolExecutor and OrleansExecutor run a static method, or a lambda that captures nothing, in another process; Submit throws ArgumentException for a delegate that captures variables or this.");

    /// <summary>FUT003: an async lambda or method bound to a void-returning delegate (async void).</summary>
    public static readonly DiagnosticDescriptor AsyncVoid = new(
        id: "FUT003",
        title: "An async delegate submitted as an Action runs as async void",
        messageFormat: "The async {0} passed to {1}.{2} is converted to {3}, which returns void: its future completes at the first await and an exception after it crashes the process; return a Task instead",
        category: Usage,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "An async lambda or method converted to an Action is async void: nothing can await it. Make it return Task or Task<T> so that the executor awaits it.");

    /// <summary>FUT004: an argument or result type that cannot cross to another process.</summary>
    public static readonly DiagnosticDescriptor NonCrossingType = new(
        id: "FUT004",
        title: "A value of this type cannot cross to another process",
        messageFormat: "{0} of {1}.{2} ({3}) cannot cross to another process: {4} is {5}",
        category: Usage,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Arguments and results of ProcessPoolExecutor and OrleansExecutor calls are serialized. Delegates, tasks, threads, wait handles, safe handles and pointers belong to the process that made them; Submit throws ArgumentException for them (a result fails its future).");

    /// <summary>FUT005: in a trimmed or Native AOT app, an argument or result type the generated serializer cannot describe.</summary>
    public static readonly DiagnosticDescriptor UndescribedType = new(
        id: "FUT005",
        title: "A value of this type cannot cross to another process in a trimmed or Native AOT app",
        messageFormat: "{0} of {1}.{2} ({3}) cannot cross to another process in a trimmed or Native AOT app: reflection-based serialization is off there, and the generated serializer describes primitives, strings, enums, Nullable<T>, arrays, List<T> and Dictionary<K, V> of them",
        category: Usage,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Reported where the project sets PublishAot, PublishTrimmed or IsAotCompatible: the process pool's codec then has only the JSON type information generated for the app's calls.");
}
