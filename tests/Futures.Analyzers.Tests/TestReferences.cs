using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace Futures.Analyzers.Tests;

/// <summary>
/// What test sources compile against: the .NET reference assemblies installed with this SDK
/// (no package download at test time), Futures.dll, and a stand-in OrleansExecutor.
/// </summary>
internal static class TestReferences
{
    /// <summary>No package to resolve: the references are <see cref="All"/>, added by each test.</summary>
    public static ReferenceAssemblies None { get; } = new("net10.0");

    /// <summary>The reference pack of the running runtime, or its implementation assemblies when no pack is installed.</summary>
    public static ImmutableArray<MetadataReference> All { get; } = Load();

    /// <summary>
    /// Futures.Orleans is not referenced (its Orleans SDK brings another Roslyn); the analyzers know
    /// the cluster executor by its full name only, so this stand-in is what they see.
    /// </summary>
    public const string OrleansExecutorSource = """
        namespace Futures.Orleans
        {
            public sealed class OrleansExecutor : Futures.Executor
            {
                protected override void Schedule(Futures.WorkItem item) { }
            }
        }
        """;

    private static ImmutableArray<MetadataReference> Load()
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string version = Path.GetFileName(runtimeDirectory);
        string dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        string pack = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref", version, "ref", "net10.0");
        IEnumerable<string> framework = Directory.Exists(pack)
            ? Directory.EnumerateFiles(pack, "*.dll")
            : Directory.EnumerateFiles(runtimeDirectory, "*.dll").Where(static f => !Path.GetFileName(f).StartsWith("Microsoft.DiaSymReader", StringComparison.Ordinal));
        return framework
            .Append(typeof(Executor).Assembly.Location)
            .Select(static path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }
}
