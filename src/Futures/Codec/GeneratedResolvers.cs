using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Futures.Codec;

/// <summary>
/// The contracts that the Futures source generator emitted into the app, for apps where the codec
/// cannot use reflection (trimmed and Native AOT publishes).
/// </summary>
/// <remarks>
/// Each app assembly's generated module initializer appends its resolver to a list kept in
/// <see cref="AppContext"/> under <see cref="AppContextKey"/> (no public API is needed for that),
/// under a lock on <c>typeof(AppContext)</c>, which this class takes too. The list can grow while
/// the process runs (an assembly loaded later), so it is read at each miss; System.Text.Json caches
/// every contract found.
/// </remarks>
internal sealed class GeneratedResolvers : IJsonTypeInfoResolver
{
    /// <summary>The AppContext data key of the list of generated resolvers.</summary>
    public const string AppContextKey = "Futures.ProcessPool.TypeInfoResolvers";

    /// <inheritdoc/>
    public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
    {
        IJsonTypeInfoResolver[] resolvers;
        lock (typeof(AppContext))
        {
            resolvers = (AppContext.GetData(AppContextKey) as List<IJsonTypeInfoResolver>)?.ToArray() ?? [];
        }
        foreach (IJsonTypeInfoResolver resolver in resolvers)
        {
            if (resolver.GetTypeInfo(type, options) is { } info) return info;
        }
        return null;
    }
}
