using System.Diagnostics;
using System.IO.Pipes;
using Futures.ProcessPool.WorkerHost;

namespace Futures.ProcessPool;

/// <summary>
/// How to start a worker: <c>dotnet exec --runtimeconfig &lt;app&gt;.runtimeconfig.json --depsfile
/// &lt;app&gt;.deps.json Futures.dll --futures-worker ...</c>, so that the worker runs on the app's own
/// dependency graph and can load the app's assemblies and their packages by name.
/// </summary>
/// <remarks>
/// The app's deps.json is the first entry of <c>APP_CONTEXT_DEPS_FILES</c> (under <c>dotnet test</c>
/// that is the test assembly's, as testhost runs on it); its runtimeconfig.json sits beside it.
/// Without one (an app started without a runtimeconfig), a runtimeconfig naming the running
/// framework is written to a temporary file.
/// </remarks>
internal sealed class WorkerLauncher
{
    /// <summary>The launcher for this process, worked out once.</summary>
    public static WorkerLauncher Default => s_default.Value;

    private static readonly Lazy<WorkerLauncher> s_default = new(Detect);

    public WorkerLauncher(string host, string? runtimeConfig, string? depsFile, string workerAssembly)
    {
        Host = host;
        RuntimeConfig = runtimeConfig;
        DepsFile = depsFile;
        WorkerAssembly = workerAssembly;
    }

    /// <summary>The <c>dotnet</c> muxer to run, e.g. <c>/usr/share/dotnet/dotnet</c>.</summary>
    public string Host { get; }

    /// <summary>The app's runtimeconfig.json, e.g. <c>/app/bin/MyApp.runtimeconfig.json</c>.</summary>
    public string? RuntimeConfig { get; }

    /// <summary>The app's deps.json, e.g. <c>/app/bin/MyApp.deps.json</c>; null when the app has none.</summary>
    public string? DepsFile { get; }

    /// <summary>Futures.dll, whose Main is the worker.</summary>
    public string WorkerAssembly { get; }

    /// <summary>
    /// Starts a worker with pipes <paramref name="calls"/> (we write) and <paramref name="results"/>
    /// (we read); <paramref name="onExited"/> is subscribed before the start, so no exit is missed. Call from the manager thread only: on Linux the child's parent-death signal fires
    /// when the thread that started it ends.
    /// </summary>
    public System.Diagnostics.Process Start(AnonymousPipeServerStream calls, AnonymousPipeServerStream results, EventHandler onExited)
    {
        var info = new ProcessStartInfo(Host) { UseShellExecute = false };
        info.ArgumentList.Add("exec");
        if (RuntimeConfig is not null) { info.ArgumentList.Add("--runtimeconfig"); info.ArgumentList.Add(RuntimeConfig); }
        if (DepsFile is not null) { info.ArgumentList.Add("--depsfile"); info.ArgumentList.Add(DepsFile); }
        info.ArgumentList.Add(WorkerAssembly);
        info.ArgumentList.Add(Program.WorkerSwitch);
        info.ArgumentList.Add(calls.GetClientHandleAsString());
        info.ArgumentList.Add(results.GetClientHandleAsString());
        info.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
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

    private static WorkerLauncher Detect()
    {
        string worker = typeof(WorkerLoop).Assembly.Location;
        // The host joins the deps files with ';' on every platform (not Path.PathSeparator, ':' on Unix).
        string? deps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?
            .Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (deps is not null && !File.Exists(deps)) deps = null;
        string? config = deps is null ? null : deps[..^".deps.json".Length] + ".runtimeconfig.json";
        if (config is null || !File.Exists(config)) config = WriteFallbackRuntimeConfig();
        return new WorkerLauncher(FindHost(), config, deps, worker);
    }

    /// <summary>The running <c>dotnet</c>: this process if it is the muxer, else the one beside the running framework, else <c>DOTNET_HOST_PATH</c>, else <c>dotnet</c> on PATH.</summary>
    private static string FindHost()
    {
        string exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && Path.GetFileName(self).Equals(exe, StringComparison.OrdinalIgnoreCase)) return self;
        // <root>/shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll
        string? framework = Path.GetDirectoryName(typeof(object).Assembly.Location);
        string? root = framework is null ? null : Path.GetFullPath(Path.Combine(framework, "..", "..", ".."));
        if (root is not null && File.Exists(Path.Combine(root, exe))) return Path.Combine(root, exe);
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath)) return hostPath;
        return exe;
    }

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
}
