namespace System.Runtime.CompilerServices;

/// <summary>Lets netstandard2.0 compile <c>init</c> accessors and records (the compiler only needs the type to exist).</summary>
internal static class IsExternalInit
{
}
