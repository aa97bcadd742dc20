namespace Futures.ProcessPool;

/// <summary>How a worker process is started; chosen once per app by <see cref="WorkerLauncher.Default"/>.</summary>
internal enum WorkerLaunchMode
{
    /// <summary>
    /// <c>dotnet exec --runtimeconfig app.runtimeconfig.json --depsfile app.deps.json Futures.dll
    /// --futures-worker</c>: framework-dependent apps whose Futures.dll is a file (<c>dotnet run</c> of a
    /// project or a file-based app, <c>dotnet app.dll</c>, a framework-dependent apphost, test hosts).
    /// </summary>
    DotnetExec,

    /// <summary>
    /// The app's own executable with <c>DOTNET_STARTUP_HOOKS=Futures</c>, whose <see cref="global::StartupHook"/>
    /// runs the worker before <c>Main</c>: self-contained, single-file and trimmed apps under JIT (no
    /// <c>dotnet</c> needed).
    /// </summary>
    StartupHook,

    /// <summary>
    /// The app's own executable, whose module initializer (generated into the app by the Futures package)
    /// runs the worker before <c>Main</c>: Native AOT (see <see cref="WorkerHost.GeneratedHookEntry"/>).
    /// </summary>
    GeneratedHook,
}
