using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Futures.Analyzers;

/// <summary>
/// A call of <c>Submit</c>, <c>SubmitAsync</c>, <c>Map</c> or <c>MapUnordered</c> on an executor:
/// the function argument and what crosses (its parameters and its result).
/// </summary>
internal sealed class ExecutorCall
{
    private static readonly ImmutableHashSet<string> s_methodNames =
        ImmutableHashSet.Create("Submit", "SubmitAsync", "Map", "MapUnordered");

    private ExecutorCall(IInvocationOperation invocation, IArgumentOperation function, IMethodSymbol invoke,
        bool sendsToOtherProcesses, bool maySendToOtherProcesses)
    {
        MaySendToOtherProcesses = maySendToOtherProcesses;
        Invocation = invocation;
        Function = function;
        Invoke = invoke;
        SendsToOtherProcesses = sendsToOtherProcesses;
    }

    /// <summary>The call.</summary>
    public IInvocationOperation Invocation { get; }

    /// <summary>The <c>fn</c> argument: the delegate that runs.</summary>
    public IArgumentOperation Function { get; }

    /// <summary>The <c>Invoke</c> method of <c>fn</c>'s delegate type: what the call passes and returns.</summary>
    public IMethodSymbol Invoke { get; }

    /// <summary>Whether the receiver's static type is a process pool or a cluster executor.</summary>
    public bool SendsToOtherProcesses { get; }

    /// <summary>Whether the receiver may send calls to other processes: any executor but a thread pool.</summary>
    public bool MaySendToOtherProcesses { get; }

    /// <summary>The receiver's type name as written in messages, e.g. <c>ProcessPoolExecutor</c>.</summary>
    public string ReceiverName => Invocation.Instance?.Type?.Name ?? Invocation.TargetMethod.ContainingType.Name;

    /// <summary>The method's name, e.g. <c>Submit</c>.</summary>
    public string MethodName => Invocation.TargetMethod.Name;

    /// <summary>The operation that produces the delegate: a lambda or a method group, conversions stripped.</summary>
    public IOperation FunctionValue
    {
        get
        {
            IOperation value = Function.Value;
            while (value is IConversionOperation { IsImplicit: true } conversion) value = conversion.Operand;
            return value is IDelegateCreationOperation creation ? creation.Target : value;
        }
    }

    /// <summary>What the function argument is, as messages say it: <c>lambda</c>, <c>anonymous method</c>, <c>local function</c>, <c>method M</c> or <c>delegate</c>.</summary>
    public string FunctionKind => FunctionValue switch
    {
        IAnonymousFunctionOperation { Syntax: AnonymousMethodExpressionSyntax } => "anonymous method",
        IAnonymousFunctionOperation => "lambda",
        IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction } => "local function",
        IMethodReferenceOperation reference => $"method {reference.Method.Name}",
        _ => "delegate",
    };

    /// <summary>The argument that supplies the delegate's parameter <paramref name="index"/> (Submit's arg1.., Map's items..), if written.</summary>
    public IArgumentOperation? ArgumentFor(int index)
    {
        foreach (IArgumentOperation argument in Invocation.Arguments)
        {
            if (argument.Parameter?.Ordinal == index + 1 && !argument.IsImplicit) return argument;
        }
        return null;
    }

    /// <summary>
    /// The type a result crosses as: <c>T</c> of the returned <c>Future&lt;T&gt;</c> (inside
    /// SubmitAsync's <c>ValueTask</c>) or of Map's <c>IEnumerable&lt;T&gt;</c>; null for a call without one.
    /// </summary>
    /// <remarks>Not the delegate's return type: an async function's <c>Task&lt;T&gt;</c> is awaited and <c>T</c> crosses.</remarks>
    public ITypeSymbol? ResultType(ExecutorTypes types)
    {
        ITypeSymbol returned = Invocation.TargetMethod.ReturnType;
        if (MethodName == "SubmitAsync" && returned is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } valueTask)
        {
            returned = valueTask.TypeArguments[0];
        }
        if (returned is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named) return null;
        bool isFuture = SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, types.Future);
        bool isSequence = named.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T;
        return isFuture || isSequence ? named.TypeArguments[0] : null;
    }

    /// <summary>
    /// The types that cross with this call, each with what it is in messages (<c>Argument 1</c>,
    /// <c>The result</c>) and where to report it (the argument that supplies it, else <c>fn</c>).
    /// </summary>
    public IEnumerable<(ITypeSymbol Type, string What, SyntaxNode At)> CrossingTypes(ExecutorTypes types)
    {
        ImmutableArray<IParameterSymbol> parameters = Invoke.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            yield return (parameters[i].Type, $"Argument {i + 1}", ArgumentFor(i)?.Syntax ?? Function.Syntax);
        }
        if (ResultType(types) is { } result) yield return (result, "The result", Function.Syntax);
    }

    /// <summary>Whether <paramref name="type"/> mentions a type parameter: it is closed only at run time.</summary>
    public static bool IsOpen(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol => true,
        IArrayTypeSymbol array => IsOpen(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(IsOpen),
        _ => false,
    };

    /// <summary>The executor call <paramref name="invocation"/> is, or null.</summary>
    public static ExecutorCall? From(IInvocationOperation invocation, ExecutorTypes types)
    {
        IMethodSymbol method = invocation.TargetMethod;
        if (!s_methodNames.Contains(method.Name) || method.IsStatic) return null;
        if (!ExecutorTypes.IsOrDerivesFrom(method.ContainingType, types.Executor)) return null;
        if (method.Parameters.Length == 0 || method.Parameters[0].Type is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke }) return null;
        IArgumentOperation? function = null;
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter?.Ordinal == 0) function = argument;
        }
        if (function is null) return null;
        ITypeSymbol? receiver = invocation.Instance?.Type;
        return new ExecutorCall(invocation, function, invoke, types.SendsToOtherProcesses(receiver), types.MaySendToOtherProcesses(receiver));
    }
}
