using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipes;
using Futures.ProcessPool.WorkerHost;

namespace Futures.ProcessPool;

/// <summary>
/// How to start a worker in this app (see <see cref="WorkerLaunchMode"/>): with <c>dotnet exec</c> of
/// Futures.dll on the app's own runtimeconfig and deps.json where that works, else the app's own
/// executable, which a hook turns into a worker before <c>Main</c>.
/// </summary>
/// <remarks>
/// <c>dotnet exec</c>: the app's deps.json is the first entry of <c>APP_CONTEXT_DEPS_FILES</c> that is not
/// the framework's (under <c>dotnet test</c> that is the test assembly's, as testhost runs on it); its
/// runtimeconfig.json sits beside it. Without one (an app started without a runtimeconfig), a
/// runtimeconfig naming the running framework is written to a temporary file.
/// <para>
/// Every mode passes the pipes in <see cref="WorkerEntry.EnvironmentVariable"/> and redirects the
/// worker's stderr (<see cref="WorkerStderr"/>). The app's own executable is started only when its hook
/// is known to run, so that a worker never runs the app's <c>Main</c>.
/// </para>
/// </remarks>
internal sealed class WorkerLauncher
{
    /// <summary>The launcher for this process, worked out once (on the first worker start).</summary>
    public static WorkerLauncher Default => s_default.Value;

    private static readonly Lazy<WorkerLauncher> s_default = new(Detect);

    private WorkerLauncher(WorkerLaunchMode mode, string host, string? runtimeConfig, string? depsFile, string? workerAssembly, string? unavailable)
    {
        Mode = mode;
        Host = host;
        RuntimeConfig = runtimeConfig;
        DepsFile = depsFile;
        WorkerAssembly = workerAssembly;
        UnavailableReason = unavailable;
    }

    /// <summary>A launcher that runs <paramref name="workerAssembly"/> (Futures.dll) with <c>dotnet exec</c> through <paramref name="host"/>.</summary>
    public static WorkerLauncher DotnetExec(string host, string? runtimeConfig, string? depsFile, string workerAssembly) =>
        new(WorkerLaunchMode.DotnetExec, host, runtimeConfig, depsFile, workerAssembly, null);

    /// <summary>A launcher that starts <paramref name="executable"/> (the app itself), turned into a worker by the hook of <paramref name="mode"/>.</summary>
    public static WorkerLauncher SelfLaunch(WorkerLaunchMode mode, string executable)
    {
        Debug.Assert(mode != WorkerLaunchMode.DotnetExec);
        return new(mode, executable, null, null, null, null);
    }

    /// <summary>A launcher that cannot start workers here, and says why when asked to.</summary>
    public static WorkerLauncher Unavailable(string reason) => new(WorkerLaunchMode.DotnetExec, "", null, null, null, reason);

    /// <summary>How workers are started.</summary>
    public WorkerLaunchMode Mode { get; }

    /// <summary>The executable to run: the <c>dotnet</c> muxer (e.g. <c>/usr/share/dotnet/dotnet</c>) or the app itself (e.g. <c>/app/MyApp</c>).</summary>
    public string Host { get; }

    /// <summary>The app's runtimeconfig.json, e.g. <c>/app/bin/MyApp.runtimeconfig.json</c> (<c>dotnet exec</c> only).</summary>
    public string? RuntimeConfig { get; }

    /// <summary>The app's deps.json, e.g. <c>/app/bin/MyApp.deps.json</c>; null when the app has none (<c>dotnet exec</c> only).</summary>
    public string? DepsFile { get; }

    /// <summary>Futures.dll, whose Main is the worker (<c>dotnet exec</c> only).</summary>
    public string? WorkerAssembly { get; }

    /// <summary>Why no worker can be started in this app; null when one can.</summary>
    public string? UnavailableReason { get; }

    /// <summary>
    /// Starts a worker with pipes <paramref name="calls"/> (we write) and <paramref name="results"/>
    /// (we read), its stderr redirected; <paramref name="onExited"/> is subscribed before the start, so no
    /// exit is missed. Call from the manager thread only: on Linux the child's parent-death signal fires
    /// when the thread that started it ends.
    /// </summary>
    /// <exception cref="NotSupportedException">No worker can be started in this app (<see cref="UnavailableReason"/>).</exception>
    public System.Diagnostics.Process Start(AnonymousPipeServerStream calls, AnonymousPipeServerStream results, EventHandler onExited)
    {
        if (UnavailableReason is not null) throw new NotSupportedException(UnavailableReason);
        var info = new ProcessStartInfo(Host) { UseShellExecute = false, RedirectStandardError = true };
        switch (Mode)
        {
            case WorkerLaunchMode.DotnetExec:
                info.ArgumentList.Add("exec");
                if (RuntimeConfig is not null) { info.ArgumentList.Add("--runtimeconfig"); info.ArgumentList.Add(RuntimeConfig); }
                if (DepsFile is not null) { info.ArgumentList.Add("--depsfile"); info.ArgumentList.Add(DepsFile); }
                info.ArgumentList.Add(WorkerAssembly!);
                info.ArgumentList.Add(Program.WorkerSwitch);
                break;
            case WorkerLaunchMode.StartupHook:
                info.Environment.TryGetValue(StartupHooks.Variable, out string? hooks);
                info.Environment[StartupHooks.Variable] = StartupHooks.With(hooks, StartupHooks.OwnHook);
                break;
        }
        info.Environment[WorkerEntry.EnvironmentVariable] =
            new WorkerEntry.StartInfo(calls.GetClientHandleAsString(), results.GetClientHandleAsString(), Environment.ProcessId).ToString();
        var process = new System.Diagnostics.Process { StartInfo = info, EnableRaisingEvents = true };
        process.Exited += onExited;
        try
        {
            process.Start();
        }
        finally
        {
            // Our copies of the child's ends must go, or we would never see end of file when it dies.
            calls.DisposeLocalCopyOfClientHandle();
            results.DisposeLocalCopyOfClientHandle();
        }
        return process;
    }

    /// <summary>Picks the mode for this app: see <see cref="WorkerLaunchMode"/>, in that order of preference.</summary>
    private static WorkerLauncher Detect()
    {
        if (RunningApp.IsNativeAot)
        {
            return GeneratedHookEntry.IsPresent && RunningApp.OwnExecutable is { } aotApp
                ? SelfLaunch(WorkerLaunchMode.GeneratedHook, aotApp)
                : Unavailable(NativeAotWithoutHook);
        }
        string futures = RunningApp.FuturesAssemblyFile;
        if (futures.Length > 0 && RunningApp.IsFrameworkDependent && RunningMuxer() is { } muxer) return ForDotnetExec(muxer, futures);
        if (StartupHooks.AreSupported && RunningApp.FuturesIsAnAppAssembly && RunningApp.OwnExecutable is { } app)
        {
            return SelfLaunch(WorkerLaunchMode.StartupHook, app);
        }
        if (futures.Length > 0 && OtherMuxer() is { } other) return ForDotnetExec(other, futures);
        return Unavailable(NoWayToStart);
    }

    private static WorkerLauncher ForDotnetExec(string muxer, string futures)
    {
        // The host joins the deps files with ';' on every platform (not Path.PathSeparator, ':' on Unix).
        string? framework = AppContext.GetData("FX_DEPS_FILE") as string;
        string? deps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?
            .Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(d => d != framework);
        if (deps is not null && !File.Exists(deps)) deps = null;
        string? config = deps is null ? null : deps[..^".deps.json".Length] + ".runtimeconfig.json";
        if (config is null || !File.Exists(config)) config = WriteFallbackRuntimeConfig();
        return DotnetExec(muxer, config, deps, futures);
    }

    /// <summary>The <c>dotnet</c> that runs this app: this process if it is the muxer, else the one beside the running framework.</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "Empty in a bundle: then there is no muxer to find this way.")]
    private static string? RunningMuxer()
    {
        if (Environment.ProcessPath is { } self && RunningApp.OwnExecutable is null) return self;
        // <root>/shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll
        string? framework = Path.GetDirectoryName(typeof(object).Assembly.Location);
        if (string.IsNullOrEmpty(framework)) return null;
        string muxer = Path.Combine(Path.GetFullPath(Path.Combine(framework, "..", "..", "..")), MuxerFileName);
        return File.Exists(muxer) ? muxer : null;
    }

    /// <summary>Another <c>dotnet</c>: <c>DOTNET_HOST_PATH</c> (set by the SDK for the processes it runs), else the first on PATH.</summary>
    private static string? OtherMuxer()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath)) return hostPath;
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, MuxerFileName);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string MuxerFileName => OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";

    private static string WriteFallbackRuntimeConfig()
    {
        string path = Path.Combine(Path.GetTempPath(), $"Futures.worker.{Environment.Version}.runtimeconfig.json");
        string json = $$"""
            { "runtimeOptions": { "tfm": "net{{Environment.Version.Major}}.{{Environment.Version.Minor}}",
              "framework": { "name": "Microsoft.NETCore.App", "version": "{{Environment.Version}}" } } }
            """;
        File.WriteAllText(path, json);
        return path;
    }

    private const string NativeAotWithoutHook =
        "This Native AOT app cannot start ProcessPoolExecutor workers: its build did not generate the worker hook. " +
        "Reference the Futures NuGet package from the app's own project (its source generator emits the hook into the app) " +
        "and submit from that project.";

    private const string NoWayToStart =
        "ProcessPoolExecutor cannot start a worker in this app: Futures.dll is not a file of a framework-dependent app " +
        "(for `dotnet exec`), and the app does not run startup hooks (for starting itself as a worker): a trimmed app " +
        "built without the Futures package's build targets. Reference the Futures NuGet package, or set " +
        "<StartupHookSupport>true</StartupHookSupport> in the app's project.";
}
