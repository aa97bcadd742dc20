using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Futures.Analyzers;

/// <summary>
/// FUT004: an argument or result type of a process pool's or cluster's Submit/SubmitAsync/Map/
/// MapUnordered that cannot cross to another process (a delegate, task, thread, handle or pointer,
/// anywhere in the app's own types). Submit would throw <c>ArgumentException</c> for such an
/// argument, and such a result fails its future.
/// </summary>
/// <remarks>
/// The result checked is the future's type argument, so an async function's awaited
/// <c>Task&lt;T&gt;</c> is fine while a <c>Future&lt;Task&lt;T&gt;&gt;</c> is reported.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CrossingTypeAnalyzer : ExecutorCallAnalyzer
{
    private static readonly SymbolDisplayFormat s_shortName = SymbolDisplayFormat.MinimallyQualifiedFormat;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.NonCrossingType);

    private protected override void Analyze(OperationAnalysisContext context, ExecutorCall call, ExecutorTypes types)
    {
        if (!call.SendsToOtherProcesses) return;
        foreach ((ITypeSymbol type, string what, SyntaxNode at) in call.CrossingTypes(types))
        {
            if (ExecutorCall.IsOpen(type) || types.NonCrossing.Find(type) is not { } found) continue;
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.NonCrossingType, at.GetLocation(),
                what, call.ReceiverName, call.MethodName, type.ToDisplayString(s_shortName), found.Where, found.Reason));
        }
    }
}
