using System.Reflection;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Futures.ProcessPool;

/// <summary>How the running app was built and started, as far as starting a worker cares (measured on .NET 10, Linux).</summary>
internal static class RunningApp
{
    /// <summary>
    /// Whether this is a Native AOT app. <see cref="RuntimeFeature.IsDynamicCodeSupported"/> alone is not
    /// enough: a <c>PublishAot=true</c> project (every file-based app) turns it off in its runtimeconfig even
    /// under <c>dotnet run</c>, on the JIT. Only Native AOT has no <c>TRUSTED_PLATFORM_ASSEMBLIES</c>: every
    /// CoreCLR host passes that list (empty, but set, in a single-file bundle).
    /// </summary>
    public static bool IsNativeAot { get; } =
        !RuntimeFeature.IsDynamicCodeSupported && AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is null;

    /// <summary>
    /// Whether the app runs on a shared framework (<c>dotnet app.dll</c>, a framework-dependent apphost, a
    /// test host): the host then names the framework's deps.json in <c>FX_DEPS_FILE</c>; it is empty in a
    /// self-contained app, whose runtime sits beside it.
    /// </summary>
    public static bool IsFrameworkDependent => AppContext.GetData("FX_DEPS_FILE") is string { Length: > 0 };

    /// <summary>Futures.dll on disk; empty when it has no file (a single-file bundle, Native AOT).</summary>
    public static string FuturesAssemblyFile => LocationOf(typeof(RunningApp).Assembly);

    /// <summary>The file <paramref name="assembly"/> was loaded from; empty when it has none (a single-file bundle, Native AOT, loaded from bytes).</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "Empty in a bundle, which is exactly what is asked.")]
    public static string LocationOf(Assembly assembly) => assembly.Location;

    /// <summary>Whether Futures was loaded by the runtime from the app's own assemblies (so a worker finds it by name), not into a plugin context.</summary>
    public static bool FuturesIsAnAppAssembly => AssemblyLoadContext.GetLoadContext(typeof(RunningApp).Assembly) == AssemblyLoadContext.Default;

    /// <summary>The app's own executable, e.g. <c>/app/MyApp</c>; null when the process is the <c>dotnet</c> muxer (or unknown).</summary>
    public static string? OwnExecutable =>
        Environment.ProcessPath is { } path && !Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? path : null;
}
