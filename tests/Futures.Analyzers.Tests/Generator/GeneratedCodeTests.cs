using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Futures.Analyzers.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Futures.Analyzers.Tests.Generator;

/// <summary>The generated code compiled, loaded and run: registration, and the resolver's JSON.</summary>
public class GeneratedCodeTests
{
    private const string ResolversKey = "Futures.ProcessPool.TypeInfoResolvers";

    [Fact]
    public void ModuleInitializer_RegistersAResolverThatRoundTrips()
    {
        Assembly app = EmitAndLoad(GeneratorSnapshotTests.AppSource);

        RuntimeHelpers.RunModuleConstructor(app.ManifestModule.ModuleHandle);

        IJsonTypeInfoResolver resolver = RegisteredBy(app);
        var options = new JsonSerializerOptions { TypeInfoResolver = resolver };
        RoundTrip(new List<int> { 1, 2, 3 }, options).Should().Be("[1,2,3]");
        RoundTrip(new Dictionary<string, int?> { ["a"] = 1, ["b"] = null }, options).Should().Be("""{"a":1,"b":null}""");
        RoundTrip(new byte[] { 1, 2 }, options).Should().Be("\"AQI=\"");
        RoundTrip(new[] { "x", "y" }, options).Should().Be("""["x","y"]""");
        RoundTrip(2.5, options).Should().Be("2.5");
        Type color = app.GetType("Color", throwOnError: true)!;
        JsonSerializer.Serialize(Enum.ToObject(color, 1), color, options).Should().Be("1");
        resolver.GetTypeInfo(app.GetType("Point", throwOnError: true)!, options).Should().BeNull("records are left to the reflection codec");
        resolver.GetTypeInfo(typeof(Guid), options).Should().BeNull("only the types of calls that may leave the process are described");
        AppContext.GetData("Futures.ProcessPool.GeneratedHook").Should().Be("TestProject");
    }

    [Fact]
    public void Pipeline_UnrelatedEdit_RegeneratesNothing()
    {
        var (compilation, _) = GeneratorRun.Run(GeneratorSnapshotTests.AppSource);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new ProcessPoolGenerator().AsSourceGenerator()],
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation);

        Compilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("static class Unrelated { static int F() => 1; }",
            (CSharpParseOptions)compilation.SyntaxTrees.First().Options));
        GeneratorRunResult rerun = driver.RunGenerators(edited).GetRunResult().Results.Single();

        rerun.TrackedOutputSteps.SelectMany(static s => s.Value).SelectMany(static step => step.Outputs)
            .Should().NotBeEmpty().And.OnlyContain(static o => o.Reason == IncrementalStepRunReason.Cached || o.Reason == IncrementalStepRunReason.Unchanged);
    }

    private static string RoundTrip<T>(T value, JsonSerializerOptions options)
    {
        string json = JsonSerializer.Serialize(value, options);
        JsonSerializer.Deserialize<T>(json, options).Should().BeEquivalentTo(value);
        return json;
    }

    /// <summary>The resolver the generated code of <paramref name="app"/> added to the AppContext list (tests may add others).</summary>
    private static IJsonTypeInfoResolver RegisteredBy(Assembly app)
    {
        lock (typeof(AppContext))
        {
            var resolvers = AppContext.GetData(ResolversKey).Should().BeOfType<List<IJsonTypeInfoResolver>>().Subject;
            return resolvers.Should().ContainSingle(r => r.GetType().Assembly == app).Subject;
        }
    }

    private static Assembly EmitAndLoad(string source)
    {
        var (compilation, _) = GeneratorRun.Run(source);
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        emitted.Diagnostics.Where(static d => d.Severity >= DiagnosticSeverity.Warning).Should().BeEmpty();
        emitted.Success.Should().BeTrue();
        image.Position = 0;
        return new AssemblyLoadContext("generated", isCollectible: true).LoadFromStream(image);
    }
}
