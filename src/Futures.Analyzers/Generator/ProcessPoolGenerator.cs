using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Futures.Analyzers.Generator;

/// <summary>
/// Lets a published app (trimmed, single-file, Native AOT) host its own process-pool workers
/// (DESIGN-app-hook.md, "Generated code"). Into a compilation that calls Submit/SubmitAsync/Map/
/// MapUnordered on an executor that may leave the process (any but a thread pool), it emits one
/// class, <c>Futures.Generated.FuturesProcessPoolHook</c>, in three parts, one pipeline each:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>the hook (<see cref="HookSource"/>): a module initializer that registers the JSON resolver
/// under the AppContext key <c>Futures.ProcessPool.TypeInfoResolvers</c> and, in an executable,
/// marks it as a worker host and lets Futures turn a Native AOT process started as a worker into one;</item>
/// <item>the metadata (<see cref="MetadataSource"/>): <c>DynamicDependency</c> attributes that keep,
/// through trimming and Native AOT, the submitted methods and lambdas (their types and compiler-made
/// <c>&lt;&gt;c</c> classes) and the app's own argument and result types;</item>
/// <item>the resolver (<see cref="ResolverSource"/>): an <c>IJsonTypeInfoResolver</c> built on
/// <c>JsonMetadataServices</c> for the describable argument and result types (<see cref="JsonShapes"/>).</item>
/// </list>
/// All three read the same call sites, reduced to strings so that an edit elsewhere regenerates nothing.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class ProcessPoolGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<CallSite> calls = context.SyntaxProvider
            .CreateSyntaxProvider(CallSite.IsCandidate, CallSite.From)
            .Where(static call => call is not null)
            .Select(static (call, _) => call!);
        IncrementalValueProvider<bool> anyCall = calls.Collect().Select(static (all, _) => !all.IsEmpty);

        // The hook: needs only whether there is a call, the assembly's name and whether it is an executable.
        IncrementalValueProvider<(string Name, bool IsExecutable)> assembly = context.CompilationProvider.Select(static (c, _) =>
            (c.AssemblyName ?? "", c.Options.OutputKind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication or OutputKind.WindowsRuntimeApplication));
        context.RegisterSourceOutput(anyCall.Combine(assembly), static (output, input) =>
        {
            if (input.Left) output.AddSource("FuturesProcessPoolHook.g.cs", HookSource.Render(input.Right.Name, input.Right.IsExecutable));
        });

        // The metadata to keep.
        IncrementalValueProvider<ImmutableArray<string>> kept = calls.SelectMany(static (call, _) => call.Kept).Collect()
            .Select(static (all, _) => all.Distinct().OrderBy(static k => k, System.StringComparer.Ordinal).ToImmutableArray());
        context.RegisterSourceOutput(anyCall.Combine(kept), static (output, input) =>
        {
            if (input.Left) output.AddSource("FuturesProcessPoolHook.Metadata.g.cs", MetadataSource.Render(input.Right));
        });

        // The JSON resolver.
        IncrementalValueProvider<ImmutableArray<JsonShape>> shapes = calls.SelectMany(static (call, _) => call.Shapes).Collect()
            .Select(static (all, _) => all.Distinct().OrderBy(static s => s.Type, System.StringComparer.Ordinal).ToImmutableArray());
        context.RegisterSourceOutput(anyCall.Combine(shapes), static (output, input) =>
        {
            if (input.Left) output.AddSource("FuturesProcessPoolHook.Json.g.cs", ResolverSource.Render(input.Right));
        });
    }
}
