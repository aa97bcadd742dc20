using System.Collections.Immutable;
using Futures.Analyzers.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Futures.Analyzers.Tests.Generator;

/// <summary>Runs <see cref="ProcessPoolGenerator"/> over test sources with Roslyn's own driver, for snapshots and for emitting an assembly.</summary>
internal static class GeneratorRun
{
    /// <summary>Compiles <paramref name="source"/> (after <see cref="Verify{TAnalyzer}.Usings"/>), runs the generator, returns the compilation with its output and the generated files by name.</summary>
    public static (Compilation Compilation, ImmutableDictionary<string, string> Generated) Run(string source, OutputKind kind = OutputKind.ConsoleApplication)
    {
        CSharpCompilation compilation = CSharpCompilation.Create("TestProject", // the name the generator harness gives its compilation
           
            [CSharpSyntaxTree.ParseText(Verify<CaptureAnalyzer>.Usings + source, new CSharpParseOptions(LanguageVersion.Latest), path: "Program.cs"),
             CSharpSyntaxTree.ParseText(TestReferences.OrleansExecutorSource, path: "OrleansExecutor.cs")],
            TestReferences.All,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new ProcessPoolGenerator().AsSourceGenerator())
            .WithUpdatedParseOptions(new CSharpParseOptions(LanguageVersion.Latest));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        ImmutableDictionary<string, string> generated = driver.GetRunResult().Results
            .SelectMany(static r => r.GeneratedSources)
            .ToImmutableDictionary(static s => s.HintName, static s => s.SourceText.ToString());
        return (output, generated);
    }
}
