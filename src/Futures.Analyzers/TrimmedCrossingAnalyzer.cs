using System;
using System.Collections.Immutable;
using Futures.Analyzers.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Futures.Analyzers;

/// <summary>
/// FUT005: where the app is published trimmed or Native AOT (the build properties
/// <c>PublishAot</c>, <c>PublishTrimmed</c> or <c>IsAotCompatible</c>, made visible to the compiler by
/// the package's build/Futures.props), an argument or result type of a call that may leave the
/// process and that the generated JSON resolver (<see cref="ProcessPoolGenerator"/>) cannot describe.
/// </summary>
/// <remarks>
/// Types that cannot cross at all are FUT004's; open types are closed only at run time and not reported.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TrimmedCrossingAnalyzer : ExecutorCallAnalyzer
{
    private static readonly SymbolDisplayFormat s_shortName = SymbolDisplayFormat.MinimallyQualifiedFormat;
    private static readonly string[] s_properties = { "PublishAot", "PublishTrimmed", "IsAotCompatible" };

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.UndescribedType);

    private protected override void Analyze(OperationAnalysisContext context, ExecutorCall call, ExecutorTypes types)
    {
        if (!call.MaySendToOtherProcesses || !IsTrimmedOrAot(context.Options.AnalyzerConfigOptionsProvider.GlobalOptions)) return;
        foreach ((ITypeSymbol type, string what, SyntaxNode at) in call.CrossingTypes(types))
        {
            if (ExecutorCall.IsOpen(type) || types.NonCrossing.Find(type) is not null || JsonShapes.CanDescribe(type)) continue;
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.UndescribedType, at.GetLocation(),
                what, call.ReceiverName, call.MethodName, type.ToDisplayString(s_shortName)));
        }
    }

    private static bool IsTrimmedOrAot(AnalyzerConfigOptions options)
    {
        foreach (string property in s_properties)
        {
            if (options.TryGetValue($"build_property.{property}", out string? value) && string.Equals(value.Trim(), "true", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
