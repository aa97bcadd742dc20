using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Futures.Analyzers.Tests;

/// <summary>Runs an analyzer (and its fix) over test sources compiled against Futures.</summary>
internal static class Verify<TAnalyzer> where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>The common header of test sources.</summary>
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Futures;
        using Futures.Orleans;

        """;

    /// <summary>Checks that <paramref name="source"/> (after <see cref="Usings"/>) gets exactly the marked and <paramref name="expected"/> diagnostics.</summary>
    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected) => AnalyzerWithBuildAsync(source, "", expected);

    /// <summary>As <see cref="AnalyzerAsync"/>, in a project whose build properties are <paramref name="buildProperties"/> (lines such as <c>PublishAot = true</c>).</summary>
    public static Task AnalyzerWithBuildAsync(string source, string buildProperties, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        string properties = string.Concat(buildProperties.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(static p => $"build_property.{p.Trim()}\n"));
        test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\n" + properties));
        Configure(test.TestState);
        test.ReferenceAssemblies = TestReferences.None;
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>Checks the diagnostics of <paramref name="source"/> and that <typeparamref name="TCodeFix"/> turns it into <paramref name="fixedSource"/> (the same text: no fix offered).</summary>
    public static Task CodeFixAsync<TCodeFix>(string source, string fixedSource, params DiagnosticResult[] expected)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
        };
        Configure(test.TestState);
        Configure(test.FixedState);
        test.ReferenceAssemblies = TestReferences.None;
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    /// <summary>A diagnostic of <paramref name="descriptor"/> at markup location <paramref name="index"/> ({|#0:...|}).</summary>
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor, int index) =>
        new DiagnosticResult(descriptor).WithLocation(index);

    private static void Configure(SolutionState state)
    {
        state.AdditionalReferences.AddRange(TestReferences.All);
        state.Sources.Add(("OrleansExecutor.cs", TestReferences.OrleansExecutorSource));
    }
}
