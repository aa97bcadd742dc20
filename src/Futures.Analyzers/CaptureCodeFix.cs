using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Futures.Analyzers;

/// <summary>
/// Fixes FUT001 where it is obvious: the captured variables become arguments of the call and
/// parameters of a static lambda, e.g. <c>pool.Submit(() =&gt; F(k))</c> →
/// <c>pool.Submit(static k =&gt; F(k), k)</c>.
/// </summary>
/// <remarks>
/// Offered only for Submit and SubmitAsync with positional arguments and no explicit type
/// arguments, when the overload with the extra arguments exists (three at most), and when every
/// captured variable is a local or parameter that the lambda only reads, directly. Otherwise the
/// fix would change what the code means, so none is offered.
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CaptureCodeFix)), Shared]
public sealed class CaptureCodeFix : CodeFixProvider
{
    private const int MaxArguments = 3;

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.CapturingDelegate.Id);

    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not { } node) continue;
            ArgumentSyntax? argument = node.FirstAncestorOrSelf<ArgumentSyntax>();
            if (argument?.Expression is not LambdaExpressionSyntax lambda) continue;
            if (Rewrite(model, lambda, context.CancellationToken) is not { } rewritten) continue;
            context.RegisterCodeFix(
                CodeAction.Create("Pass the captured variables as arguments",
                    _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(rewritten.Call, rewritten.Fixed))),
                    equivalenceKey: nameof(CaptureCodeFix)),
                diagnostic);
        }
    }

    /// <summary>The call rewritten with the captures as arguments, or null when the fix is not obvious.</summary>
    private static (InvocationExpressionSyntax Call, InvocationExpressionSyntax Fixed)? Rewrite(
        SemanticModel model, LambdaExpressionSyntax lambda, CancellationToken cancellationToken)
    {
        if (lambda.Parent?.Parent is not ArgumentListSyntax { Parent: InvocationExpressionSyntax call } arguments) return null;
        if (call.Expression is MemberAccessExpressionSyntax { Name: GenericNameSyntax }) return null;
        if (arguments.Arguments.Any(static a => a.NameColon is not null || !a.RefKindKeyword.IsKind(SyntaxKind.None))) return null;
        if (model.GetOperation(call, cancellationToken) is not IInvocationOperation invocation) return null;
        if (ExecutorTypes.From(model.Compilation) is not { } types || ExecutorCall.From(invocation, types) is not { } executorCall) return null;
        if (executorCall.MethodName is not ("Submit" or "SubmitAsync")) return null;
        if (executorCall.FunctionValue is not IAnonymousFunctionOperation function) return null;

        ImmutableArray<CapturedVariable> captured = CapturedVariables.Of(function);
        int arity = executorCall.Invoke.Parameters.Length + captured.Length;
        if (captured.IsEmpty || arity > MaxArguments) return null;
        DataFlowAnalysis? flow = model.AnalyzeDataFlow(lambda);
        if (flow is null || !flow.Succeeded) return null;
        foreach (CapturedVariable variable in captured)
        {
            if (variable.ThroughLocalFunction || variable.Symbol is null) return null;
            if (flow.WrittenInside.Contains(variable.Symbol, SymbolEqualityComparer.Default)) return null;
            if (TypeOf(variable.Symbol) is not { } type || type.IsRefLikeType || type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer) return null;
        }

        LambdaExpressionSyntax? staticLambda = WithParameters(lambda, captured, model);
        if (staticLambda is null) return null;
        // The new arguments go after the function's own arguments, before SubmitAsync's cancellation token.
        int insertAt = 1 + executorCall.Invoke.Parameters.Length;
        SeparatedSyntaxList<ArgumentSyntax> list = arguments.Arguments.Replace(arguments.Arguments[0], arguments.Arguments[0].WithExpression(staticLambda));
        list = list.InsertRange(insertAt, captured.Select(static c => Argument(IdentifierName(c.Name))));
        return (call, call.WithArgumentList(arguments.WithArguments(list)));
    }

    /// <summary>The lambda made static, with one parameter per captured variable after its own.</summary>
    private static LambdaExpressionSyntax? WithParameters(LambdaExpressionSyntax lambda, ImmutableArray<CapturedVariable> captured, SemanticModel model)
    {
        List<ParameterSyntax> parameters = lambda switch
        {
            SimpleLambdaExpressionSyntax simple => new List<ParameterSyntax> { simple.Parameter },
            ParenthesizedLambdaExpressionSyntax parenthesized => parenthesized.ParameterList.Parameters.ToList(),
            _ => new List<ParameterSyntax>(),
        };
        bool typed = parameters.Any(static p => p.Type is not null);
        foreach (CapturedVariable variable in captured)
        {
            ParameterSyntax parameter = Parameter(Identifier(variable.Name));
            if (typed)
            {
                string type = TypeOf(variable.Symbol!)!.ToMinimalDisplayString(model, lambda.SpanStart);
                parameter = parameter.WithType(ParseTypeName(type).WithTrailingTrivia(Space));
            }
            parameters.Add(parameter);
        }

        SyntaxTokenList modifiers = lambda.Modifiers;
        if (!modifiers.Any(SyntaxKind.StaticKeyword)) modifiers = modifiers.Insert(0, Token(SyntaxKind.StaticKeyword).WithTrailingTrivia(Space));
        // Keep the modifiers' place: a lambda that began the argument keeps its leading trivia on the first token.
        modifiers = modifiers.Replace(modifiers[0], modifiers[0].WithLeadingTrivia(lambda.GetLeadingTrivia()));
        for (int i = 1; i < modifiers.Count; i++) modifiers = modifiers.Replace(modifiers[i], modifiers[i].WithLeadingTrivia());

        if (parameters.Count == 1 && !typed && lambda is not ParenthesizedLambdaExpressionSyntax { ReturnType: not null })
        {
            ParameterSyntax only = parameters[0].WithoutTrivia().WithTrailingTrivia(Space);
            return SimpleLambdaExpression(only).WithModifiers(modifiers).WithArrowToken(lambda.ArrowToken)
                .WithBlock(lambda.Block).WithExpressionBody(lambda.ExpressionBody);
        }
        SeparatedSyntaxList<ParameterSyntax> list = SeparatedList(
            parameters.Select(static p => p.WithoutTrivia()),
            Enumerable.Repeat(Token(SyntaxKind.CommaToken).WithTrailingTrivia(Space), parameters.Count - 1));
        ParameterListSyntax parameterList = ParameterList(list).WithTrailingTrivia(Space);
        TypeSyntax? returnType = (lambda as ParenthesizedLambdaExpressionSyntax)?.ReturnType;
        return ParenthesizedLambdaExpression(parameterList, lambda.Block, lambda.ExpressionBody)
            .WithModifiers(modifiers).WithReturnType(returnType).WithArrowToken(lambda.ArrowToken);
    }

    private static ITypeSymbol? TypeOf(ISymbol symbol) => symbol switch
    {
        ILocalSymbol local => local.Type,
        IParameterSymbol parameter => parameter.Type,
        _ => null,
    };
}
