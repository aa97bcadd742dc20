using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Futures.Analyzers;

/// <summary>A variable a function captures: a local, a parameter, or <c>this</c> (<see cref="Symbol"/> null).</summary>
/// <param name="Symbol">The local or parameter; null for <c>this</c>.</param>
/// <param name="Name">The name as written: the variable's, or <c>this</c>.</param>
/// <param name="ThroughLocalFunction">Captured by a local function declared outside that the function calls.</param>
internal readonly record struct CapturedVariable(ISymbol? Symbol, string Name, bool ThroughLocalFunction);

/// <summary>
/// The variables a lambda or local function really captures: those it (or a local function
/// declared outside that it calls) reads or writes and that are declared outside it.
/// </summary>
/// <remarks>
/// Read from the operation tree rather than from the compiler's closure layout: a closure class is
/// shared by every lambda of a scope, so its fields name variables the lambda never touches.
/// </remarks>
internal static class CapturedVariables
{
    /// <summary>The captures of a lambda or anonymous method, in order of first use.</summary>
    public static ImmutableArray<CapturedVariable> Of(IAnonymousFunctionOperation function) =>
        Collect(function.Symbol, function.Body);

    /// <summary>The captures of a local function converted to a delegate (empty for a static one).</summary>
    public static ImmutableArray<CapturedVariable> Of(IMethodSymbol localFunction, SemanticModel model)
    {
        if (localFunction.IsStatic) return ImmutableArray<CapturedVariable>.Empty;
        IOperation? body = BodyOf(localFunction, model);
        return body is null ? ImmutableArray<CapturedVariable>.Empty : Collect(localFunction, body);
    }

    private static ImmutableArray<CapturedVariable> Collect(IMethodSymbol function, IOperation body)
    {
        var walk = new Walk(function, body.SemanticModel!);
        walk.Visit(body, throughLocalFunction: false);
        return walk.Found.ToImmutable();
    }

    private static IOperation? BodyOf(IMethodSymbol localFunction, SemanticModel model)
    {
        foreach (SyntaxReference reference in localFunction.DeclaringSyntaxReferences)
        {
            SyntaxNode syntax = reference.GetSyntax();
            if (syntax.SyntaxTree != model.SyntaxTree) continue;
            if (model.GetOperation(syntax) is ILocalFunctionOperation declared) return declared.Body ?? declared.IgnoredBody;
        }
        return null;
    }

    /// <summary>One walk from one function; follows the local functions it calls, each once.</summary>
    private sealed class Walk
    {
        /// <summary>The functions whose own locals and parameters are not captures: the root and the outside local functions it calls.</summary>
        private readonly HashSet<ISymbol> _inside = new(SymbolEqualityComparer.Default);
        private readonly HashSet<ISymbol> _seen = new(SymbolEqualityComparer.Default);
        private readonly SemanticModel _model;
        private bool _thisSeen;

        public Walk(IMethodSymbol root, SemanticModel model)
        {
            _inside.Add(root);
            _model = model;
        }

        public ImmutableArray<CapturedVariable>.Builder Found { get; } = ImmutableArray.CreateBuilder<CapturedVariable>();

        public void Visit(IOperation body, bool throughLocalFunction)
        {
            foreach (IOperation operation in body.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case ILocalReferenceOperation { Local: { IsConst: false } local }:
                        AddIfOutside(local, local.ContainingSymbol, throughLocalFunction);
                        break;
                    case IParameterReferenceOperation { Parameter: var parameter }:
                        AddIfOutside(parameter, parameter.ContainingSymbol, throughLocalFunction);
                        break;
                    case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                        if (!_thisSeen)
                        {
                            _thisSeen = true;
                            Found.Add(new CapturedVariable(null, "this", throughLocalFunction));
                        }
                        break;
                    case IInvocationOperation { TargetMethod: { MethodKind: MethodKind.LocalFunction } called }:
                        FollowLocalFunction(called);
                        break;
                    case IMethodReferenceOperation { Method: { MethodKind: MethodKind.LocalFunction } referenced }:
                        FollowLocalFunction(referenced);
                        break;
                }
            }
        }

        private void FollowLocalFunction(IMethodSymbol localFunction)
        {
            IMethodSymbol definition = localFunction.OriginalDefinition;
            if (definition.IsStatic || IsInside(definition) || !_inside.Add(definition)) return;
            IOperation? body = BodyOf(definition, _model);
            if (body is not null) Visit(body, throughLocalFunction: true);
        }

        private void AddIfOutside(ISymbol variable, ISymbol? declaredIn, bool throughLocalFunction)
        {
            if (IsInside(declaredIn) || !_seen.Add(variable)) return;
            Found.Add(new CapturedVariable(variable, variable.Name, throughLocalFunction));
        }

        /// <summary>Whether <paramref name="symbol"/> is, or is nested in, a function of <see cref="_inside"/>.</summary>
        private bool IsInside(ISymbol? symbol)
        {
            for (ISymbol? s = symbol; s is not null; s = s.ContainingSymbol)
            {
                if (_inside.Contains(s.OriginalDefinition)) return true;
                if (s is not IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction }) return false;
            }
            return false;
        }
    }
}
