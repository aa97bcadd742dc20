using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Futures.Analyzers;

/// <summary>
/// The shape of every Futures analyzer: in a compilation that references Futures, look at each
/// executor call (<see cref="ExecutorCall"/>) and report what is wrong with it.
/// </summary>
public abstract class ExecutorCallAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (ExecutorTypes.From(start.Compilation) is not { } types) return;
            start.RegisterOperationAction(c =>
            {
                if (ExecutorCall.From((IInvocationOperation)c.Operation, types) is { } call) Analyze(c, call, types);
            }, OperationKind.Invocation);
        });
    }

    /// <summary>Reports the diagnostics of one executor call.</summary>
    private protected abstract void Analyze(OperationAnalysisContext context, ExecutorCall call, ExecutorTypes types);
}
