using System.Reflection;

namespace Futures.ProcessPool.Protocol;

/// <summary>
/// A method named so that another process can find it: module MVID and metadata token, plus generic
/// arguments; or, in a Native AOT app (no metadata tokens), its declaring type and signature.
/// </summary>
/// <remarks>
/// The MVID check catches a worker that loaded a different build of the assembly: it fails the call
/// with a clear message instead of running whatever method has that token there. A Native AOT worker
/// is the app's own executable, so the build is the same by construction and the name suffices.
/// Type names are assembly-qualified. <see cref="AssemblyLocation"/> helps a worker find an assembly
/// that is not in the app's deps.json (one the app loaded from a path).
/// </remarks>
/// <param name="AssemblyName">The declaring assembly's full name.</param>
/// <param name="AssemblyLocation">Its file, when it has one (not in a single-file bundle).</param>
/// <param name="ModuleVersionId">Its module's build id; empty under Native AOT.</param>
/// <param name="MetadataToken">The method definition's token; 0 under Native AOT (then found by <paramref name="DeclaringType"/> and <paramref name="Signature"/>).</param>
/// <param name="TypeArguments">The declaring type's generic arguments, assembly-qualified.</param>
/// <param name="MethodArguments">The method's generic arguments, assembly-qualified.</param>
/// <param name="DisplayName">For messages and traces: <c>MyApp.Work.Square</c>.</param>
/// <param name="DeclaringType">The declaring type (its generic definition), assembly-qualified.</param>
/// <param name="Signature">The method definition as its ToString() gives it, e.g. <c>Int32 Square(Int32)</c>, to tell overloads apart.</param>
internal sealed record MethodRef(
    string AssemblyName, string AssemblyLocation, Guid ModuleVersionId, int MetadataToken,
    string[] TypeArguments, string[] MethodArguments, string DisplayName, string DeclaringType = "", string Signature = "")
{
    /// <summary>Names <paramref name="method"/> (a closed method: its type and method generic arguments are known).</summary>
    public static MethodRef Of(MethodInfo method)
    {
        Type declaring = method.DeclaringType!;
        MethodInfo definition = method.IsGenericMethod ? method.GetGenericMethodDefinition() : method;
        Type declaringDefinition = declaring.IsGenericType ? declaring.GetGenericTypeDefinition() : declaring;
        if (declaring.IsGenericType) definition = (MethodInfo)MethodBase.GetMethodFromHandle(definition.MethodHandle, declaringDefinition.TypeHandle)!;
        bool tokens = !RunningApp.IsNativeAot; // Native AOT keeps no metadata tokens
        return new MethodRef(
            declaring.Assembly.FullName!, RunningApp.LocationOf(declaring.Assembly),
            tokens ? method.Module.ModuleVersionId : Guid.Empty, tokens ? definition.MetadataToken : 0,
            declaring.IsGenericType ? declaring.GetGenericArguments().Select(TypeName).ToArray() : [],
            method.IsGenericMethod ? method.GetGenericArguments().Select(TypeName).ToArray() : [],
            $"{declaring.FullName}.{method.Name}", TypeName(declaringDefinition), definition.ToString() ?? method.Name);
    }

    /// <summary>The assembly-qualified name by which a worker loads <paramref name="type"/>.</summary>
    public static string TypeName(Type type) =>
        type.AssemblyQualifiedName ?? throw new ArgumentException($"Type {type} has no assembly-qualified name.");

    /// <summary>A key that identifies this method for a worker's cache.</summary>
    public string CacheKey => $"{ModuleVersionId:N}:{MetadataToken}:{DeclaringType}:{Signature}:{string.Join(',', TypeArguments)}|{string.Join(',', MethodArguments)}";

    /// <summary>Appends the method to <paramref name="w"/>.</summary>
    public void Write(BinaryWriter w)
    {
        w.Write(AssemblyName);
        w.Write(AssemblyLocation);
        w.Write(ModuleVersionId.ToByteArray());
        w.Write(MetadataToken);
        Wire.WriteStrings(w, TypeArguments);
        Wire.WriteStrings(w, MethodArguments);
        w.Write(DisplayName);
        w.Write(DeclaringType);
        w.Write(Signature);
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static MethodRef Read(BinaryReader r) =>
        new(r.ReadString(), r.ReadString(), new Guid(r.ReadBytes(16)), r.ReadInt32(),
            Wire.ReadStrings(r), Wire.ReadStrings(r), r.ReadString(), r.ReadString(), r.ReadString());
}
