using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Futures.Analyzers;

/// <summary>
/// FUT001: a lambda, anonymous method or local function that captures state, passed to a
/// process pool's or cluster's Submit/SubmitAsync/Map/MapUnordered. The worker receives only the
/// method, so Submit would throw <c>ArgumentException</c>; this says so at build time, naming the
/// variables the delegate really captures.
/// </summary>
/// <remarks>
/// Instance methods passed as method groups are not reported: they cross with a copy of their
/// target (FUT002 is reserved for them). A delegate held in a variable is not followed.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CaptureAnalyzer : ExecutorCallAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.CapturingDelegate);

    private protected override void Analyze(OperationAnalysisContext context, ExecutorCall call, ExecutorTypes types)
    {
        if (!call.SendsToOtherProcesses) return;
        ImmutableArray<CapturedVariable> captured = Captures(call);
        if (captured.IsDefaultOrEmpty) return;
        string names = string.Join(", ", captured.Select(static c => c.Name));
        string them = captured.Length == 1 ? $"{captured[0].Name} as an argument" : "them as arguments";
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.CapturingDelegate, call.Function.Syntax.GetLocation(),
            call.FunctionKind, call.ReceiverName, call.MethodName, names, them));
    }

    /// <summary>What the function argument captures: a lambda's or local function's outside variables; nothing for a method.</summary>
    private static ImmutableArray<CapturedVariable> Captures(ExecutorCall call) => call.FunctionValue switch
    {
        IAnonymousFunctionOperation lambda => CapturedVariables.Of(lambda),
        IMethodReferenceOperation { Method: { MethodKind: MethodKind.LocalFunction } local } reference => CapturedVariables.Of(local, reference.SemanticModel!),
        _ => ImmutableArray<CapturedVariable>.Empty,
    };
}
