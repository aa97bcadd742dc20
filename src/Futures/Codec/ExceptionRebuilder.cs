using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Futures.Codec;

/// <summary>Builds, on the receiving side, the exception an <see cref="ExceptionState"/> describes.</summary>
/// <remarks>
/// Through a constructor whose parameters all match what arrived by name — its properties (as
/// System.Text.Json binds a record), its message and inner exception — taking the one with the most
/// parameters; a (string, Exception), (string) or parameterless one matches that way too. Then
/// everything it held is set: its own fields (so the state is whole whatever the constructor did),
/// its message as given, HResult, Source, HelpLink, Data and inner exception, and its stack trace
/// where it was thrown, which <see cref="Exception.StackTrace"/> then shows
/// (<see cref="ExceptionDispatchInfo.SetRemoteStackTrace"/>). An exception that had no inner
/// exception gets a <see cref="RemoteException"/> with its type name and stack trace as one, as
/// before. What cannot be built that way (no constructor matches, or one throws) arrives as a
/// <see cref="RemoteException"/> instead.
/// </remarks>
[RequiresUnreferencedCode("The codec reads and writes the fields of types it finds at run time.")]
[RequiresDynamicCode("The codec makes generic contracts for types it finds at run time.")]
internal static class ExceptionRebuilder
{
    private static readonly FieldInfo? s_inner = typeof(Exception).GetField("_innerException", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>The exception <paramref name="state"/> describes, of its type if that can be built, else a <see cref="RemoteException"/>.</summary>
    public static Exception Rebuild(ExceptionState state)
    {
        try
        {
            if (state.Type is not null && Construct(state.Type, state) is { } rebuilt)
            {
                Restore(rebuilt, state);
                return rebuilt;
            }
        }
        catch (Exception e) when (e is TargetInvocationException or ArgumentException or InvalidOperationException or MemberAccessException)
        {
            // A constructor or setter that throws: the plain description below.
        }
        return Remote(state.TypeName, state.MessageText, state.StackTraceText, state.Inner);
    }

    /// <summary>The stand-in for an exception that cannot be rebuilt here.</summary>
    public static RemoteException Remote(string typeName, string message, string stackTrace, Exception? inner = null) =>
        new($"{typeName}: {message}", typeName, stackTrace, inner);

    private static Exception? Construct(Type type, ExceptionState state)
    {
        ConstructorInfo[] constructors = type.GetConstructors(BindingFlags.Instance | BindingFlags.Public);
        foreach (ConstructorInfo constructor in constructors.OrderByDescending(c => c.GetParameters().Length))
        {
            ParameterInfo[] parameters = constructor.GetParameters();
            var arguments = new object?[parameters.Length];
            bool bound = true;
            for (int i = 0; i < parameters.Length && bound; i++)
            {
                bound = TryArgument(state, parameters[i], out arguments[i]);
            }
            if (!bound) continue;
            try
            {
                return (Exception)constructor.Invoke(arguments);
            }
            catch (TargetInvocationException)
            {
                // This constructor refuses these values (a check in its body): try the next.
            }
        }
        return null;
    }

    private static bool TryArgument(ExceptionState state, ParameterInfo parameter, out object? value)
    {
        string name = parameter.Name ?? "";
        if (state.PropertyValues.TryGetValue(name, out value)) { }
        else if (name.Equals("message", StringComparison.OrdinalIgnoreCase)) value = state.MessageText;
        else if (name.Equals("innerException", StringComparison.OrdinalIgnoreCase)) value = state.Inner;
        else return false;
        Type type = parameter.ParameterType;
        return value is null ? !type.IsValueType || Nullable.GetUnderlyingType(type) is not null : type.IsInstanceOfType(value);
    }

    private static void Restore(Exception rebuilt, ExceptionState state)
    {
        foreach ((FieldInfo field, object? value) in state.FieldValues) field.SetValue(rebuilt, value);
        ExceptionState.SetBaseMessage(rebuilt, state.MessageText);
        rebuilt.HResult = state.HResultValue;
        rebuilt.Source = state.SourceText;
        rebuilt.HelpLink = state.HelpLinkText;
        foreach ((object key, object? value) in state.DataEntries) rebuilt.Data[key] = value;
        Exception inner = state.Inner ?? Remote(state.TypeName, state.MessageText, state.StackTraceText);
        if (!ReferenceEquals(rebuilt.InnerException, inner)) s_inner?.SetValue(rebuilt, inner);
        if (state.StackTraceText.Length > 0) ExceptionDispatchInfo.SetRemoteStackTrace(rebuilt, state.StackTraceText);
    }
}
