using System;
using Microsoft.CodeAnalysis;

namespace Futures.Analyzers;

/// <summary>The Futures types a compilation sees, resolved once per compilation.</summary>
internal sealed class ExecutorTypes
{
    private ExecutorTypes(Compilation compilation, INamedTypeSymbol executor, INamedTypeSymbol? processPool, INamedTypeSymbol? orleans,
        INamedTypeSymbol? threadPool, INamedTypeSymbol? future)
    {
        Executor = executor;
        ProcessPool = processPool;
        Orleans = orleans;
        ThreadPool = threadPool;
        Future = future;
        _nonCrossing = new Lazy<NonCrossingTypes>(() => new NonCrossingTypes(compilation));
    }

    private readonly Lazy<NonCrossingTypes> _nonCrossing;

    /// <summary>The types that cannot cross to another process, resolved on first use.</summary>
    public NonCrossingTypes NonCrossing => _nonCrossing.Value;

    /// <summary><c>Futures.Executor</c>, which declares every Submit and Map.</summary>
    public INamedTypeSymbol Executor { get; }

    /// <summary><c>Futures.ProcessPoolExecutor</c>.</summary>
    public INamedTypeSymbol? ProcessPool { get; }

    /// <summary><c>Futures.Orleans.OrleansExecutor</c>, when the compilation references Futures.Orleans.</summary>
    public INamedTypeSymbol? Orleans { get; }

    /// <summary><c>Futures.ThreadPoolExecutor</c>: its calls never leave the process.</summary>
    public INamedTypeSymbol? ThreadPool { get; }

    /// <summary><c>Futures.Future&lt;T&gt;</c>, whose type argument is what a call's result crosses as.</summary>
    public INamedTypeSymbol? Future { get; }

    /// <summary>The Futures types of <paramref name="compilation"/>, or null when it does not reference Futures.</summary>
    public static ExecutorTypes? From(Compilation compilation)
    {
        INamedTypeSymbol? executor = compilation.GetTypeByMetadataName("Futures.Executor");
        if (executor is null) return null;
        return new ExecutorTypes(compilation, executor,
            compilation.GetTypeByMetadataName("Futures.ProcessPoolExecutor"),
            compilation.GetTypeByMetadataName("Futures.Orleans.OrleansExecutor"),
            compilation.GetTypeByMetadataName("Futures.ThreadPoolExecutor"),
            compilation.GetTypeByMetadataName("Futures.Future`1"));
    }

    /// <summary>Whether <paramref name="type"/> is <paramref name="baseType"/> or derives from it.</summary>
    public static bool IsOrDerivesFrom(ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        if (baseType is null) return false;
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, baseType)) return true;
        }
        return false;
    }

    /// <summary>
    /// Whether a receiver of this static type may send its calls to other processes: any executor
    /// but a thread pool (an <c>Executor</c> may be a process pool). The generator serves these calls.
    /// </summary>
    public bool MaySendToOtherProcesses(ITypeSymbol? receiverType) => !IsOrDerivesFrom(receiverType, ThreadPool);

    /// <summary>Whether a receiver of this static type sends its calls to other processes: a process pool or a cluster.</summary>
    public bool SendsToOtherProcesses(ITypeSymbol? receiverType) =>
        IsOrDerivesFrom(receiverType, ProcessPool) || IsOrDerivesFrom(receiverType, Orleans);
}
