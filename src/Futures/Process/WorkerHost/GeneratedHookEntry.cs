using System.Runtime.CompilerServices;

namespace Futures.ProcessPool.WorkerHost;

/// <summary>
/// The worker's entry point in a Native AOT app: the module initializer that the Futures source
/// generator emits into the app calls the action published here, and in a process started as a worker
/// it runs the worker and exits before the app's <c>Main</c>.
/// </summary>
/// <remarks>
/// The contract with the generated code is AppContext data only (no public API): Futures' module
/// initializer stores the action under <see cref="RunWorkerIfRequestedKey"/>; the app's generated one sets
/// <see cref="GeneratedHookKey"/> (which tells the launcher that this executable can host a worker), runs
/// Futures' module initializer and invokes the action.
/// <para>
/// Native AOT only. Under JIT a module initializer is a class constructor: while the worker loop ran
/// inside it, every other thread that touched the app's code would wait for it to finish (measured: a
/// <c>Task.Run</c> of an app method never completed), so there the action returns at once and JIT apps
/// run their workers through <see cref="global::StartupHook"/> or <c>dotnet exec</c>. Native AOT runs
/// module initializers eagerly before <c>Main</c>, with no such lock.
/// </para>
/// </remarks>
internal static class GeneratedHookEntry
{
    /// <summary>AppContext key of the <see cref="Action"/> that the generated module initializer invokes.</summary>
    public const string RunWorkerIfRequestedKey = "Futures.ProcessPool.RunWorkerIfRequested";

    /// <summary>AppContext key that the generated module initializer sets (to the app assembly's simple name).</summary>
    public const string GeneratedHookKey = "Futures.ProcessPool.GeneratedHook";

    /// <summary>Publishes the action; nothing else, as it runs in every app that uses Futures.</summary>
#pragma warning disable CA2255 // ModuleInitializer in a library: this is the documented contract with the code that Futures' own generator emits into apps.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Publish() => AppContext.SetData(RunWorkerIfRequestedKey, (Action)RunWorkerIfRequested);

    /// <summary>Whether the app's build generated the hook (its module initializer has run: always before <c>Main</c> under Native AOT).</summary>
    public static bool IsPresent => AppContext.GetData(GeneratedHookKey) is string;

    /// <summary>Runs the worker and exits when this Native AOT process was started as one; otherwise returns at once.</summary>
    private static void RunWorkerIfRequested()
    {
        if (!RunningApp.IsNativeAot) return;
        if (WorkerEntry.TakeFromEnvironment() is { } start) WorkerEntry.RunAndExit(start);
    }
}
