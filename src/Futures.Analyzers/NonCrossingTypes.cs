using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Futures.Analyzers;

/// <summary>Where a type that cannot cross sits in a value, and why it cannot.</summary>
/// <param name="Type">The offending type.</param>
/// <param name="Where">The path to it, e.g. <c>Job.Callback</c>, or the type's own name when it is the value's type.</param>
/// <param name="Reason">What the type is, e.g. <c>a delegate, code bound to this process</c>.</param>
internal readonly record struct NonCrossing(ITypeSymbol Type, string Where, string Reason);

/// <summary>
/// The types that cannot cross to another process (API.md, "Data across the boundary"):
/// delegates, tasks, threads, wait handles, safe and critical handles, pointers — as the value's
/// type, a type argument of it, an element, or a field of the app's own types (declared in source).
/// </summary>
internal sealed class NonCrossingTypes
{
    private static readonly SymbolDisplayFormat s_shortName = SymbolDisplayFormat.MinimallyQualifiedFormat;

    private readonly INamedTypeSymbol?[] _tasks;
    private readonly INamedTypeSymbol? _thread;
    private readonly INamedTypeSymbol?[] _handles;

    /// <summary>Resolves the BCL types once per compilation.</summary>
    public NonCrossingTypes(Compilation compilation)
    {
        _tasks = new[]
        {
            compilation.GetTypeByMetadataName("System.Threading.Tasks.Task"),
            compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask"),
            compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1"),
        };
        _thread = compilation.GetTypeByMetadataName("System.Threading.Thread");
        _handles = new[]
        {
            compilation.GetTypeByMetadataName("System.Threading.WaitHandle"),
            compilation.GetTypeByMetadataName("System.Runtime.InteropServices.SafeHandle"),
            compilation.GetTypeByMetadataName("System.Runtime.InteropServices.CriticalHandle"),
        };
    }

    /// <summary>The first part of <paramref name="type"/> that cannot cross, or null when all of it can (as far as the source shows).</summary>
    public NonCrossing? Find(ITypeSymbol type) =>
        Find(type, type.ToDisplayString(s_shortName), new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default));

    private NonCrossing? Find(ITypeSymbol type, string where, HashSet<ITypeSymbol> visited)
    {
        if (!visited.Add(type)) return null;
        if (Reason(type) is { } reason) return new NonCrossing(type, where, reason);
        switch (type)
        {
            case IArrayTypeSymbol array:
                return Find(array.ElementType, array.ElementType.ToDisplayString(s_shortName), visited);
            case INamedTypeSymbol named:
                foreach (ITypeSymbol argument in named.TypeArguments)
                {
                    if (Find(argument, argument.ToDisplayString(s_shortName), visited) is { } inArgument) return inArgument;
                }
                return InFields(named, where, visited);
            default:
                return null;
        }
    }

    /// <summary>The instance fields (auto-properties' included) of a type declared in source, and of its source base types.</summary>
    private NonCrossing? InFields(INamedTypeSymbol type, string where, HashSet<ITypeSymbol> visited)
    {
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct)) return null;
        for (INamedTypeSymbol? t = type; t is not null && t.Locations.Length > 0 && t.Locations[0].IsInSource; t = t.BaseType)
        {
            foreach (ISymbol member in t.GetMembers())
            {
                if (member is not IFieldSymbol { IsStatic: false, IsConst: false } field) continue;
                string name = field.AssociatedSymbol?.Name ?? field.Name;
                if (Find(field.Type, $"{where}.{name}", visited) is { } inField) return inField;
            }
        }
        return null;
    }

    private string? Reason(ITypeSymbol type)
    {
        if (type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer) return "a pointer into this process's memory";
        if (type.TypeKind == TypeKind.Delegate || type.SpecialType is SpecialType.System_Delegate or SpecialType.System_MulticastDelegate)
        {
            return "a delegate, code bound to this process";
        }
        foreach (INamedTypeSymbol? task in _tasks)
        {
            if (ExecutorTypes.IsOrDerivesFrom(type, task)) return "a task, an operation running in this process";
        }
        if (ExecutorTypes.IsOrDerivesFrom(type, _thread)) return "a thread of this process";
        foreach (INamedTypeSymbol? handle in _handles)
        {
            if (ExecutorTypes.IsOrDerivesFrom(type, handle)) return "a handle, valid only in the process that opened it";
        }
        return null;
    }
}
