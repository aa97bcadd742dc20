namespace Futures.Internal;

/// <summary>Readable C#-like type names for messages: <c>Future&lt;Int32&gt;</c>, not <c>Future`1</c>.</summary>
internal static class TypeNames
{
    public static string Of(Type type)
    {
        if (!type.IsGenericType) return type.Name;
        string name = type.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Of))}>";
    }
}
