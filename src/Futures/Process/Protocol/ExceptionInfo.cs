namespace Futures.ProcessPool.Protocol;

/// <summary>An exception as text, as it crosses from a worker: its type's name, message and stack trace.</summary>
/// <param name="TypeName">The exception type's full name in the worker.</param>
/// <param name="AssemblyName">The simple name of the assembly that declares the type.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="StackTrace">The worker's stack trace (with inner exceptions, as <see cref="Exception.ToString"/> shows them).</param>
internal sealed record ExceptionInfo(string TypeName, string AssemblyName, string Message, string StackTrace)
{
    /// <summary>Describes <paramref name="e"/>.</summary>
    public static ExceptionInfo From(Exception e)
    {
        Type type = e.GetType();
        string trace = e.StackTrace ?? "";
        if (e.InnerException is { } inner) trace = $"{trace}{Environment.NewLine} ---> {inner}";
        return new ExceptionInfo(type.FullName ?? type.Name, type.Assembly.GetName().Name ?? "", e.Message, trace);
    }

    /// <summary>Appends the exception to <paramref name="w"/>.</summary>
    public void Write(BinaryWriter w)
    {
        w.Write(TypeName);
        w.Write(AssemblyName);
        w.Write(Message);
        w.Write(StackTrace);
    }

    /// <summary>The item as a frame payload.</summary>
    public byte[] Encode() => Wire.Encode(this, static (w, e) => e.Write(w));

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static ExceptionInfo Read(BinaryReader r) => new(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadString());

    /// <summary>Reads a payload made by <see cref="Encode"/>.</summary>
    public static ExceptionInfo Decode(byte[] payload) => Wire.Decode(payload, Read);
}
