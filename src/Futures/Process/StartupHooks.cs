namespace Futures.ProcessPool;

/// <summary>The <c>DOTNET_STARTUP_HOOKS</c> variable, as the launcher sets it for a worker and the worker restores it.</summary>
internal static class StartupHooks
{
    /// <summary>The runtime's variable: hooks by simple assembly name or path, separated by <see cref="Path.PathSeparator"/>.</summary>
    public const string Variable = "DOTNET_STARTUP_HOOKS";

    /// <summary>Our hook: Futures itself, by simple name (found in the app's own assemblies, in a bundle too).</summary>
    public static string OwnHook { get; } = typeof(StartupHooks).Assembly.GetName().Name!;

    /// <summary>
    /// Whether this app runs startup hooks: on unless its runtimeconfig says otherwise (trimmed and Native
    /// AOT apps turn them off by default; the Futures package's build targets keep them on for trimmed ones).
    /// </summary>
    public static bool AreSupported =>
        !AppContext.TryGetSwitch("System.StartupHookProvider.IsSupported", out bool supported) || supported;

    /// <summary><paramref name="hooks"/> (the parent's own, e.g. a profiler's; may be null) with <paramref name="hook"/> added last.</summary>
    public static string With(string? hooks, string hook) =>
        string.IsNullOrEmpty(hooks) ? hook : hooks + Path.PathSeparator + hook;

    /// <summary><paramref name="hooks"/> without its last <paramref name="hook"/>: what <see cref="With"/> was given; null when nothing is left.</summary>
    public static string? Without(string hooks, string hook)
    {
        var list = hooks.Split(Path.PathSeparator).ToList();
        int last = list.LastIndexOf(hook);
        if (last >= 0) list.RemoveAt(last);
        return list.Count == 0 ? null : string.Join(Path.PathSeparator, list);
    }
}
