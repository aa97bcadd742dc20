using System.Reflection;

namespace Futures.ProcessPool.Protocol;

/// <summary>A method named so that another process can find it: module MVID and metadata token, plus generic arguments.</summary>
/// <remarks>
/// The MVID check catches a worker that loaded a different build of the assembly: it fails the call
/// with a clear message instead of running whatever method has that token there. Type names are
/// assembly-qualified. <see cref="AssemblyLocation"/> helps a worker find an assembly that is not in
/// the app's deps.json (one the app loaded from a path).
/// </remarks>
internal sealed record MethodRef(
    string AssemblyName, string AssemblyLocation, Guid ModuleVersionId, int MetadataToken,
    string[] TypeArguments, string[] MethodArguments, string DisplayName)
{
    /// <summary>Names <paramref name="method"/> (a closed method: its type and method generic arguments are known).</summary>
    public static MethodRef Of(MethodInfo method)
    {
        Type declaring = method.DeclaringType!;
        MethodInfo definition = method.IsGenericMethod ? method.GetGenericMethodDefinition() : method;
        return new MethodRef(
            declaring.Assembly.FullName!, declaring.Assembly.Location, method.Module.ModuleVersionId, definition.MetadataToken,
            declaring.IsGenericType ? declaring.GetGenericArguments().Select(TypeName).ToArray() : [],
            method.IsGenericMethod ? method.GetGenericArguments().Select(TypeName).ToArray() : [],
            $"{declaring.FullName}.{method.Name}");
    }

    /// <summary>The assembly-qualified name by which a worker loads <paramref name="type"/>.</summary>
    public static string TypeName(Type type) =>
        type.AssemblyQualifiedName ?? throw new ArgumentException($"Type {type} has no assembly-qualified name.");

    /// <summary>A key that identifies this method for a worker's cache.</summary>
    public string CacheKey => $"{ModuleVersionId:N}:{MetadataToken}:{string.Join(',', TypeArguments)}|{string.Join(',', MethodArguments)}";

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
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static MethodRef Read(BinaryReader r) =>
        new(r.ReadString(), r.ReadString(), new Guid(r.ReadBytes(16)), r.ReadInt32(),
            Wire.ReadStrings(r), Wire.ReadStrings(r), r.ReadString());
}
