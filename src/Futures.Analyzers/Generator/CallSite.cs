using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Futures.Analyzers.Generator;

/// <summary>
/// What one Submit/Map call that may reach another process needs from the generated code: the
/// reflection metadata to keep (the arguments of <c>DynamicDependency</c> attributes) and the JSON
/// shapes of its argument and result types. Strings only: compared by value between runs.
/// </summary>
/// <param name="Kept">Rendered <c>DynamicDependency</c> arguments, e.g. <c>DynamicallyAccessedMemberTypes.All, typeof(global::Program)</c>.</param>
/// <param name="Shapes">The describable argument and result types and the types they contain.</param>
internal sealed record CallSite(EquatableArray<string> Kept, EquatableArray<JsonShape> Shapes)
{
    private const string All = "global::System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.All";

    private static readonly SymbolDisplayFormat s_typeOf = SymbolDisplayFormat.FullyQualifiedFormat;

    /// <summary>A cheap syntactic filter: an invocation of a member named like an executor's Submit or Map.</summary>
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is InvocationExpressionSyntax { Expression: var callee }
        && (callee switch
        {
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            SimpleNameSyntax name => name.Identifier.ValueText,
            _ => null,
        }) is "Submit" or "SubmitAsync" or "Map" or "MapUnordered";

    /// <summary>The call site at <paramref name="context"/>'s node, or null when it is not an executor call that may leave the process.</summary>
    public static CallSite? From(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.SemanticModel.GetOperation(context.Node, cancellationToken) is not IInvocationOperation invocation) return null;
        Compilation compilation = context.SemanticModel.Compilation;
        if (ExecutorTypes.From(compilation) is not { } types) return null;
        if (ExecutorCall.From(invocation, types) is not { MaySendToOtherProcesses: true } call) return null;

        var kept = new List<string>();
        switch (call.FunctionValue)
        {
            case IAnonymousFunctionOperation lambda:
                KeepAll(lambda.Symbol.ContainingType, compilation, kept); // with it, its <>c class of lambdas
                break;
            case IMethodReferenceOperation { Method: var method }:
                if (IsDeclaredIn(method.ContainingType, compilation)) KeepAll(method.ContainingType, compilation, kept);
                else KeepMethod(method, compilation, kept);
                break;
        }

        var shapes = new List<JsonShape>();
        foreach ((ITypeSymbol type, _, _) in call.CrossingTypes(types))
        {
            if (ExecutorCall.IsOpen(type)) continue; // closed only at run time: the worker's reflection decides
            JsonShapes.Describe(type, shapes);
            KeepDeclared(type, compilation, kept);
        }
        return new CallSite(new EquatableArray<string>(kept), new EquatableArray<JsonShape>(shapes));
    }

    private static void KeepDeclared(ITypeSymbol type, Compilation compilation, List<string> kept)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                KeepDeclared(array.ElementType, compilation, kept);
                break;
            case INamedTypeSymbol named:
                if (IsDeclaredIn(named, compilation)) KeepAll(named, compilation, kept);
                foreach (ITypeSymbol argument in named.TypeArguments) KeepDeclared(argument, compilation, kept);
                break;
        }
    }

    /// <summary>Keeps every member of <paramref name="type"/> (nested types included), or of the nearest container that generated code can name.</summary>
    private static void KeepAll(INamedTypeSymbol type, Compilation compilation, List<string> kept)
    {
        INamedTypeSymbol target = type.OriginalDefinition;
        while (target.ContainingType is { } outer && (outer.IsGenericType || !compilation.IsSymbolAccessibleWithin(target, compilation.Assembly)))
        {
            target = outer; // a private nested type, or one nested in a generic type: its container's All covers it
        }
        if (!compilation.IsSymbolAccessibleWithin(target, compilation.Assembly)) return;
        kept.Add($"{All}, typeof({TypeOf(target)})");
    }

    /// <summary>Keeps one method of another assembly's type, by its documentation signature.</summary>
    private static void KeepMethod(IMethodSymbol method, Compilation compilation, List<string> kept)
    {
        INamedTypeSymbol type = method.OriginalDefinition.ContainingType;
        string? id = method.OriginalDefinition.GetDocumentationCommentId();
        string? typeId = type.GetDocumentationCommentId();
        if (id is null || typeId is null || !compilation.IsSymbolAccessibleWithin(type, compilation.Assembly)) return;
        string signature = id.Substring(typeId.Length + 1); // "M:System.Math.Sqrt(System.Double)" -> "Sqrt(System.Double)"
        kept.Add($"\"{signature}\", typeof({TypeOf(type)})");
    }

    private static string TypeOf(INamedTypeSymbol type) =>
        (type.IsGenericType ? type.ConstructUnboundGenericType() : type).ToDisplayString(s_typeOf);

    private static bool IsDeclaredIn(INamedTypeSymbol type, Compilation compilation) =>
        SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, compilation.Assembly);
}
