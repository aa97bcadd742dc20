using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Futures.Analyzers.Generator;

/// <summary>How the generated resolver builds one type's <c>JsonTypeInfo</c> with <c>JsonMetadataServices</c>.</summary>
internal enum ShapeKind
{
    /// <summary>A primitive: <c>CreateValueInfo</c> with the named built-in converter.</summary>
    Value,

    /// <summary>An enum: <c>CreateValueInfo</c> with <c>GetEnumConverter</c>.</summary>
    Enum,

    /// <summary><c>Nullable&lt;T&gt;</c>: <c>CreateValueInfo</c> with <c>GetNullableConverter</c>.</summary>
    Nullable,

    /// <summary><c>T[]</c>: <c>CreateArrayInfo</c>.</summary>
    Array,

    /// <summary><c>List&lt;T&gt;</c>: <c>CreateListInfo</c>.</summary>
    List,

    /// <summary><c>Dictionary&lt;K, V&gt;</c>: <c>CreateDictionaryInfo</c>.</summary>
    Dictionary,
}

/// <summary>One type the generated resolver describes; strings only, so the generator's pipeline can compare models.</summary>
/// <param name="Type">The type as written in generated code, e.g. <c>global::System.Collections.Generic.List&lt;int&gt;</c>.</param>
/// <param name="Kind">How it is built.</param>
/// <param name="First">The converter (<see cref="ShapeKind.Value"/>), the underlying or element type, or the key type.</param>
/// <param name="Second">The value type of a dictionary; empty otherwise.</param>
internal sealed record JsonShape(string Type, ShapeKind Kind, string First, string Second);

/// <summary>
/// The types the generated resolver can describe (DESIGN-app-hook.md, "Generated code"):
/// primitives, enums, <c>Nullable&lt;T&gt;</c>, <c>T[]</c>, <c>List&lt;T&gt;</c> and
/// <c>Dictionary&lt;K, V&gt;</c> of describable types. Everything else is left to the reflection codec.
/// </summary>
internal static class JsonShapes
{
    /// <summary>The built-in converters of <c>JsonMetadataServices</c>, by metadata name.</summary>
    private static readonly Dictionary<string, string> s_converters = new()
    {
        ["System.Boolean"] = "BooleanConverter",
        ["System.Byte"] = "ByteConverter",
        ["System.SByte"] = "SByteConverter",
        ["System.Int16"] = "Int16Converter",
        ["System.UInt16"] = "UInt16Converter",
        ["System.Int32"] = "Int32Converter",
        ["System.UInt32"] = "UInt32Converter",
        ["System.Int64"] = "Int64Converter",
        ["System.UInt64"] = "UInt64Converter",
        ["System.Int128"] = "Int128Converter",
        ["System.UInt128"] = "UInt128Converter",
        ["System.Half"] = "HalfConverter",
        ["System.Single"] = "SingleConverter",
        ["System.Double"] = "DoubleConverter",
        ["System.Decimal"] = "DecimalConverter",
        ["System.Char"] = "CharConverter",
        ["System.String"] = "StringConverter",
        ["System.DateTime"] = "DateTimeConverter",
        ["System.DateTimeOffset"] = "DateTimeOffsetConverter",
        ["System.TimeSpan"] = "TimeSpanConverter",
        ["System.Guid"] = "GuidConverter",
        ["System.DateOnly"] = "DateOnlyConverter",
        ["System.TimeOnly"] = "TimeOnlyConverter",
    };

    /// <summary>Written without nullable annotations: <c>string?</c> and <c>string</c> are one <c>Type</c>.</summary>
    private static readonly SymbolDisplayFormat s_typeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMiscellaneousOptions(SymbolDisplayFormat.FullyQualifiedFormat.MiscellaneousOptions | SymbolDisplayMiscellaneousOptions.ExpandNullable);

    /// <summary>The type as generated code writes it.</summary>
    public static string Name(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString(s_typeFormat);

    /// <summary>Whether the generated resolver can describe <paramref name="type"/> and all it contains.</summary>
    public static bool CanDescribe(ITypeSymbol type) => Describe(type, new List<JsonShape>());

    /// <summary>Adds the shapes of <paramref name="type"/> and of the types it contains to <paramref name="shapes"/>; false (adding nothing) when some part cannot be described.</summary>
    public static bool Describe(ITypeSymbol type, List<JsonShape> shapes)
    {
        int before = shapes.Count;
        if (TryDescribe(type, shapes)) return true;
        shapes.RemoveRange(before, shapes.Count - before);
        return false;
    }

    private static bool TryDescribe(ITypeSymbol type, List<JsonShape> shapes)
    {
        string name = Name(type);
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            if (array.ElementType.SpecialType == SpecialType.System_Byte) return Add(shapes, name, ShapeKind.Value, "ByteArrayConverter");
            return TryDescribe(array.ElementType, shapes) && Add(shapes, name, ShapeKind.Array, Name(array.ElementType));
        }
        if (type is not INamedTypeSymbol named) return false;
        if (named.TypeKind == TypeKind.Enum) return Add(shapes, name, ShapeKind.Enum, "");
        if (s_converters.TryGetValue(MetadataName(named), out string? converter)) return Add(shapes, name, ShapeKind.Value, converter);
        if (!named.IsGenericType) return false;
        ITypeSymbol[] arguments = System.Linq.Enumerable.ToArray(named.TypeArguments);
        switch (MetadataName(named.OriginalDefinition))
        {
            case "System.Nullable`1":
                return TryDescribe(arguments[0], shapes) && Add(shapes, name, ShapeKind.Nullable, Name(arguments[0]));
            case "System.Collections.Generic.List`1":
                return TryDescribe(arguments[0], shapes) && Add(shapes, name, ShapeKind.List, Name(arguments[0]));
            case "System.Collections.Generic.Dictionary`2":
                return TryDescribe(arguments[0], shapes) && TryDescribe(arguments[1], shapes)
                    && Add(shapes, name, ShapeKind.Dictionary, Name(arguments[0]), Name(arguments[1]));
            default:
                return false;
        }
    }

    private static bool Add(List<JsonShape> shapes, string type, ShapeKind kind, string first, string second = "")
    {
        shapes.Add(new JsonShape(type, kind, first, second));
        return true;
    }

    private static string MetadataName(INamedTypeSymbol type) =>
        type.ContainingNamespace is { IsGlobalNamespace: false } ns ? $"{ns.ToDisplayString()}.{type.MetadataName}" : type.MetadataName;
}
