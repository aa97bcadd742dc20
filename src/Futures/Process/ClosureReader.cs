using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Futures.ProcessPool;

/// <summary>
/// Names the variables a lambda really captures, for the error that refuses it (what the FUT001
/// analyzer says at build time, said again at run time).
/// </summary>
/// <remarks>
/// <para>
/// A lambda's target is the compiler's closure ("display class") of its scope, shared by every
/// lambda of that scope: its fields are the variables captured by any of them, plus compiler
/// bookkeeping such as <c>&lt;&gt;9__63</c> (a cached delegate). So the fields alone over-report.
/// What the lambda uses is in its IL: each <c>ldfld</c>/<c>ldflda</c>/<c>stfld</c> of a closure
/// field. The reader follows what the compiler moves the body into — methods of closure classes
/// and local functions it calls, the <c>MoveNext</c> of an async or iterator lambda's state
/// machine — and the <c>CS$&lt;&gt;8__locals</c> links from a nested scope's closure to its parent's.
/// </para>
/// <para>
/// Relies on the C# compiler's closure layout (compiler-generated classes, <c>&lt;&gt;4__this</c> for
/// <c>this</c>). Where no IL is available (Native AOT, a trimmed body), every closure field that names
/// a variable is listed instead: the message may then name too many, never a compiler name.
/// </para>
/// </remarks>
internal static class ClosureReader
{
    /// <summary>One-byte opcodes by value.</summary>
    private static readonly OpCode[] s_oneByte = new OpCode[0x100];

    /// <summary>Two-byte opcodes (after the 0xFE prefix) by second byte.</summary>
    private static readonly OpCode[] s_twoByte = new OpCode[0x100];

    static ClosureReader()
    {
        foreach (FieldInfo field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            if (field.GetValue(null) is not OpCode code) continue;
            ushort value = unchecked((ushort)code.Value);
            if (code.Size == 1) s_oneByte[value] = code;
            else s_twoByte[value & 0xFF] = code;
        }
    }

    /// <summary>
    /// The variables <paramref name="method"/> (a lambda or local function whose target is an
    /// instance of the closure class <paramref name="closure"/>) uses, in IL order: variable names,
    /// and <c>this</c> for the enclosing instance.
    /// </summary>
    public static IReadOnlyList<string> CapturedNames(MethodInfo method, Type closure)
    {
        Dictionary<(Module, int), FieldInfo> closureFields = ClosureFields(closure);
        var names = new List<string>();
        if (!TryScan(method, closureFields, names)) names.Clear();
        if (names.Count == 0)
        {
            // No IL to read: name every variable the closure holds.
            foreach (FieldInfo field in closureFields.Values) AddName(field, names);
        }
        return names;
    }

    /// <summary>The fields of <paramref name="closure"/> and of the enclosing scopes' closures it links to, by module and token.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Only names the fields for an error message; a trimmed closure names fewer.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Only names the fields for an error message; a trimmed closure names fewer.")]
    private static Dictionary<(Module, int), FieldInfo> ClosureFields(Type closure)
    {
        var fields = new Dictionary<(Module, int), FieldInfo>();
        var pending = new Stack<Type>();
        pending.Push(closure);
        var seen = new HashSet<Type> { closure };
        while (pending.TryPop(out Type? type))
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                fields[(field.Module, field.MetadataToken)] = field;
                if (IsClosure(field.FieldType) && seen.Add(field.FieldType)) pending.Push(field.FieldType);
            }
        }
        return fields;
    }

    /// <summary>Adds the closure fields that the IL of <paramref name="root"/> (and what it moved code into) touches; false when some IL could not be read.</summary>
    private static bool TryScan(MethodInfo root, Dictionary<(Module, int), FieldInfo> closureFields, List<string> names)
    {
        var pending = new Queue<MethodBase>();
        var visited = new HashSet<MethodBase> { root };
        pending.Enqueue(root);
        while (pending.TryDequeue(out MethodBase? method))
        {
            if (ReadIL(method) is not { } il) return false;
            foreach ((OperandType kind, int token) in Tokens(il))
            {
                if (kind == OperandType.InlineField && ResolveField(method, token) is { } field)
                {
                    if (closureFields.ContainsKey((field.Module, field.MetadataToken))) AddName(field, names);
                    else if (IsStateMachine(field.DeclaringType)) Follow(StateMachineMoveNext(field.DeclaringType!), root, visited, pending);
                }
                else if (kind == OperandType.InlineMethod && ResolveMethod(method, token) is { } callee && IsCompilerMoved(callee))
                {
                    Follow(callee, root, visited, pending);
                }
            }
        }
        return true;
    }

    private static void Follow(MethodBase? method, MethodInfo root, HashSet<MethodBase> visited, Queue<MethodBase> pending)
    {
        if (method is not null && method.Module == root.Module && visited.Add(method)) pending.Enqueue(method);
    }

    /// <summary>Adds the variable a closure field holds: its name, <c>this</c> for the enclosing instance, nothing for a link or the compiler's bookkeeping.</summary>
    private static void AddName(FieldInfo field, List<string> names)
    {
        string? name = IsClosure(field.FieldType) ? null // CS$<>8__locals: a link to the enclosing scope's closure
            : field.Name.EndsWith("__this", StringComparison.Ordinal) ? "this"
            : field.Name.Contains('<') ? null // <>9__63: a cached delegate, not a variable
            : field.Name;
        if (name is not null && !names.Contains(name)) names.Add(name);
    }

    /// <summary>A compiler-generated class that holds captured variables (not a state machine).</summary>
    private static bool IsClosure(Type type) =>
        type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) && !IsStateMachine(type);

    /// <summary>An async or iterator state machine of the compiler (an unspeakable name: it carries no <see cref="CompilerGeneratedAttribute"/>).</summary>
    private static bool IsStateMachine(Type? type) =>
        type is not null && IsUnspeakable(type.Name)
        && (typeof(IAsyncStateMachine).IsAssignableFrom(type) || typeof(IEnumerator).IsAssignableFrom(type));

    /// <summary>A name C# cannot write, such as <c>&lt;Main&gt;b__0</c>: the compiler made it.</summary>
    private static bool IsUnspeakable(string name) => name.StartsWith('<');

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Only names the fields for an error message; a trimmed state machine names fewer.")]
    private static MethodInfo? StateMachineMoveNext(Type stateMachine) =>
        stateMachine.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes);

    /// <summary>Code the compiler moved out of the lambda: a lambda or local function, or a method of a compiler-generated class.</summary>
    private static bool IsCompilerMoved(MethodBase method)
    {
        if (IsUnspeakable(method.Name)) return true;
        for (Type? type = method.DeclaringType; type is not null; type = type.DeclaringType)
        {
            if (IsUnspeakable(type.Name) || type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)) return true;
        }
        return false;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only names variables for an error message; without a body the closure's fields are named instead.")]
    private static byte[]? ReadIL(MethodBase method)
    {
        try
        {
            return method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            return null; // Native AOT keeps no IL.
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Tokens of the method's own module, read for an error message only.")]
    private static FieldInfo? ResolveField(MethodBase context, int token) => Resolve(context, token, static (m, t, types, methods) => m.ResolveField(t, types, methods));

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Tokens of the method's own module, read for an error message only.")]
    private static MethodBase? ResolveMethod(MethodBase context, int token) => Resolve(context, token, static (m, t, types, methods) => m.ResolveMethod(t, types, methods));

    /// <summary>Resolves a token of <paramref name="context"/>'s IL in its generic context; null when it cannot be.</summary>
    private static T? Resolve<T>(MethodBase context, int token, Func<Module, int, Type[]?, Type[]?, T?> resolve) where T : MemberInfo
    {
        try
        {
            return resolve(context.Module, token, GenericArguments(context.DeclaringType), context.IsGenericMethod ? context.GetGenericArguments() : null);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or TypeLoadException or MissingMemberException)
        {
            return null;
        }
    }

    private static Type[]? GenericArguments(Type? type) => type is { IsGenericType: true } ? type.GetGenericArguments() : null;

    /// <summary>The field and method tokens of <paramref name="il"/>, in order; other operands are skipped by their size.</summary>
    private static IEnumerable<(OperandType Kind, int Token)> Tokens(byte[] il)
    {
        int at = 0;
        while (at < il.Length)
        {
            OpCode code = il[at] == 0xFE && at + 1 < il.Length ? s_twoByte[il[++at]] : s_oneByte[il[at]];
            at++;
            if (code.OperandType is OperandType.InlineField or OperandType.InlineMethod && at + 4 <= il.Length)
            {
                yield return (code.OperandType, BitConverter.ToInt32(il, at));
            }
            at += OperandSize(code.OperandType, il, at);
        }
    }

    private static int OperandSize(OperandType kind, byte[] il, int at) => kind switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => at + 4 <= il.Length ? 4 + 4 * BitConverter.ToInt32(il, at) : il.Length,
        _ => 4, // InlineBrTarget, InlineField, InlineI, InlineMethod, InlineSig, InlineString, InlineTok, InlineType, ShortInlineR
    };
}
