namespace Futures.Analyzers.Generator;

/// <summary>The module initializer part of the generated hook (DESIGN-app-hook.md, "AppContext keys").</summary>
internal static class HookSource
{
    /// <summary>The hook for an assembly named <paramref name="assemblyName"/>.</summary>
    /// <remarks>
    /// Only an executable marks itself a worker host and may become a worker: a library's
    /// initializer can run before the app's (Native AOT runs a dependency's first), and a worker
    /// started there would never see the app's resolvers registered.
    /// </remarks>
    public static string Render(string assemblyName, bool isExecutable)
    {
        string becomeWorker = !isExecutable ? "" : $$"""

                    // This executable can host a worker (the launcher starts it as one under Native AOT).
                    global::System.AppContext.SetData("Futures.ProcessPool.GeneratedHook", "{{Escape(assemblyName)}}");
                    // Futures' own module initializer sets the action; started as a worker under Native AOT, it never returns.
                    global::System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(typeof(global::Futures.Executor).Module.ModuleHandle);
                    (global::System.AppContext.GetData("Futures.ProcessPool.RunWorkerIfRequested") as global::System.Action)?.Invoke();
        """;
        return $$"""
            {{SourceHeader.Text}}
            namespace Futures.Generated
            {
                internal static partial class FuturesProcessPoolHook
                {
                    /// <summary>Registers this assembly's JSON type information for the process pool's codec.</summary>
                    [global::System.Runtime.CompilerServices.ModuleInitializer]
                    internal static partial void Initialize()
                    {
                        lock (typeof(global::System.AppContext))
                        {
                            if (global::System.AppContext.GetData("Futures.ProcessPool.TypeInfoResolvers") is not global::System.Collections.Generic.List<global::System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver> resolvers)
                            {
                                resolvers = new global::System.Collections.Generic.List<global::System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver>();
                                global::System.AppContext.SetData("Futures.ProcessPool.TypeInfoResolvers", resolvers);
                            }
                            resolvers.Add(new JsonTypeInfoResolver());
                        }{{becomeWorker}}
                    }
                }
            }

            """;
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
