using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Futures.Analyzers;

/// <summary>
/// FUT003: an async lambda, anonymous method or method converted to a void-returning delegate
/// (an <c>Action</c>: async void) and passed to any executor's Submit/SubmitAsync/Map/MapUnordered.
/// Nothing can await it: its future is done at the first await, and an exception thrown after it
/// is raised on the thread pool, which ends the process.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AsyncVoidAnalyzer : ExecutorCallAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.AsyncVoid);

    private protected override void Analyze(OperationAnalysisContext context, ExecutorCall call, ExecutorTypes types)
    {
        if (!call.Invoke.ReturnsVoid) return;
        bool isAsync = call.FunctionValue switch
        {
            IAnonymousFunctionOperation lambda => lambda.Symbol.IsAsync,
            IMethodReferenceOperation reference => reference.Method.IsAsync,
            _ => false,
        };
        if (!isAsync) return;
        string delegateType = call.Invoke.ContainingType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.AsyncVoid, call.Function.Syntax.GetLocation(),
            call.FunctionKind, call.ReceiverName, call.MethodName, delegateType));
    }
}
