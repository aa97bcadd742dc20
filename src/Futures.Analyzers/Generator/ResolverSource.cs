using System.Collections.Immutable;
using System.Text;

namespace Futures.Analyzers.Generator;

/// <summary>
/// The JSON part of the generated hook: an <c>IJsonTypeInfoResolver</c> that builds type
/// information with <c>JsonMetadataServices</c>, as System.Text.Json's own generator does, so that
/// no reflection is needed for these types; null for any other type.
/// </summary>
internal static class ResolverSource
{
    private const string Services = "global::System.Text.Json.Serialization.Metadata.JsonMetadataServices";
    private const string Metadata = "global::System.Text.Json.Serialization.Metadata";

    /// <summary>The resolver for <paramref name="shapes"/> (distinct, in a stable order).</summary>
    public static string Render(ImmutableArray<JsonShape> shapes)
    {
        var cases = new StringBuilder();
        foreach (JsonShape shape in shapes)
        {
            cases.Append("                if (type == typeof(").Append(shape.Type).Append(")) return ").Append(Create(shape)).Append(";\n");
        }
        return $$"""
            {{SourceHeader.Text}}
            namespace Futures.Generated
            {
                internal static partial class FuturesProcessPoolHook
                {
                    /// <summary>Type information for the argument and result types of this assembly's process-pool calls.</summary>
                    private sealed class JsonTypeInfoResolver : {{Metadata}}.IJsonTypeInfoResolver
                    {
                        public {{Metadata}}.JsonTypeInfo? GetTypeInfo(global::System.Type type, global::System.Text.Json.JsonSerializerOptions options)
                        {
            {{cases}}                return null;
                        }
                    }
                }
            }

            """;
    }

    private static string Create(JsonShape shape) => shape.Kind switch
    {
        ShapeKind.Value => $"{Services}.CreateValueInfo<{shape.Type}>(options, {Services}.{shape.First})",
        ShapeKind.Enum => $"{Services}.CreateValueInfo<{shape.Type}>(options, {Services}.GetEnumConverter<{shape.Type}>(options))",
        ShapeKind.Nullable => $"{Services}.CreateValueInfo<{shape.Type}>(options, {Services}.GetNullableConverter<{shape.First}>(options))",
        ShapeKind.Array => $"{Services}.CreateArrayInfo<{shape.First}>(options, {Values(shape.Type, "null")})",
        ShapeKind.List => $"{Services}.CreateListInfo<{shape.Type}, {shape.First}>(options, {Values(shape.Type, $"static () => new {shape.Type}()")})",
        _ => $"{Services}.CreateDictionaryInfo<{shape.Type}, {shape.First}, {shape.Second}>(options, {Values(shape.Type, $"static () => new {shape.Type}()")})",
    };

    private static string Values(string collection, string creator) =>
        $"new {Metadata}.JsonCollectionInfoValues<{collection}> {{ ObjectCreator = {creator}, SerializeHandler = null }}";
}
