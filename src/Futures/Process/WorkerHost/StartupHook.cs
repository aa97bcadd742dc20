using Futures.ProcessPool.WorkerHost;

/// <summary>
/// The worker's entry point in the app's own executable under JIT (self-contained, single-file and
/// trimmed apps): the launcher starts the app with <c>DOTNET_STARTUP_HOOKS=Futures</c>, and the runtime
/// calls <see cref="Initialize"/> on the main thread before <c>Main</c>. A worker never returns from it,
/// so the app's <c>Main</c> never runs in a worker.
/// </summary>
/// <remarks>
/// The runtime finds the hook by name: a type <c>StartupHook</c> in the global namespace with a
/// <c>public static void Initialize()</c> (internal is allowed). A startup hook, unlike a module
/// initializer, runs outside any class constructor, so the worker's threads may call the app's code
/// while it runs (the app's module initializer would block them: see <see cref="GeneratedHookEntry"/>).
/// Trimmed apps keep it through ILLink.Descriptors.xml when startup hooks are on (the Futures package's
/// build targets turn them on there).
/// </remarks>
internal static class StartupHook
{
    /// <summary>Runs the worker and exits when this process was started as one; otherwise returns at once.</summary>
    public static void Initialize()
    {
        if (WorkerEntry.TakeFromEnvironment() is { } start) WorkerEntry.RunAndExit(start);
    }
}
