using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.Pipes;

namespace Futures.ProcessPool.WorkerHost;

/// <summary>
/// How a process becomes a worker, whichever entry point got it there: <see cref="Program.Main"/>
/// (<c>dotnet exec Futures.dll</c>), the startup hook (<see cref="global::StartupHook"/>, the app's own
/// executable under JIT) or the hook generated into a Native AOT app (<see cref="GeneratedHookEntry"/>).
/// </summary>
/// <remarks>
/// The launcher passes the pipes and the parent's pid in <see cref="EnvironmentVariable"/>, never on
/// the command line: the app's own executable is started with no arguments, and the variable is
/// removed at once, so that a process the worker's code starts is never taken for a worker.
/// </remarks>
internal static class WorkerEntry
{
    /// <summary>Set by the launcher in a worker's environment: <c>"&lt;call pipe handle&gt; &lt;result pipe handle&gt; &lt;parent pid&gt;"</c>, e.g. <c>"11 14 4711"</c>.</summary>
    public const string EnvironmentVariable = "FUTURES_PROCESS_POOL_WORKER";

    /// <summary>What a worker needs to start, read from <see cref="EnvironmentVariable"/>.</summary>
    /// <param name="CallPipe">The inherited handle of the pipe the parent writes calls to, e.g. <c>"11"</c>.</param>
    /// <param name="ResultPipe">The inherited handle of the pipe the worker writes results to.</param>
    /// <param name="ParentPid">The pool's process, watched so that the worker never outlives it.</param>
    public sealed record StartInfo(string CallPipe, string ResultPipe, int ParentPid)
    {
        /// <summary>The variable's value for these pipes and parent.</summary>
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{CallPipe} {ResultPipe} {ParentPid}");
    }

    /// <summary>
    /// Takes this process's worker start info out of the environment (removing it, and the startup hook
    /// the launcher added); null when the process was not started as a worker, or has taken it already.
    /// </summary>
    /// <exception cref="InvalidOperationException">The variable is set but malformed.</exception>
    public static StartInfo? TakeFromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (value is null) return null;
        Environment.SetEnvironmentVariable(EnvironmentVariable, null);
        RemoveOwnStartupHook();
        string[] parts = value.Split(' ');
        if (parts.Length != 3 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int parentPid))
        {
            throw new InvalidOperationException($"{EnvironmentVariable} is '{value}', not '<call pipe> <result pipe> <parent pid>'.");
        }
        return new StartInfo(parts[0], parts[1], parentPid);
    }

    /// <summary>Runs the worker until the parent shuts it down or goes away, then exits the process with the worker's code.</summary>
    [DoesNotReturn]
    public static void RunAndExit(StartInfo start)
    {
        Warmup.Start(); // first: it runs beside everything below
        ParentWatchdog.Start(start.ParentPid);
        // Not disposed: the exit report below is written to the result pipe while the process exits.
        var calls = new AnonymousPipeClientStream(PipeDirection.In, start.CallPipe);
        var results = new AnonymousPipeClientStream(PipeDirection.Out, start.ResultPipe);
        var loop = new WorkerLoop(calls, results, onParentLost: ParentWatchdog.ExitNow);
        // However the process ends through Environment.Exit (here, or user code on any thread), the
        // parent learns the code, and so never mistakes an exit code above 128 for a signal.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => loop.ReportExit(Environment.ExitCode);
        Environment.Exit(loop.Run());
    }

    /// <summary>Removes the launcher's <c>Futures</c> entry (the last one) from <c>DOTNET_STARTUP_HOOKS</c>, keeping any the parent had.</summary>
    private static void RemoveOwnStartupHook()
    {
        if (Environment.GetEnvironmentVariable(StartupHooks.Variable) is not { } hooks) return;
        Environment.SetEnvironmentVariable(StartupHooks.Variable, StartupHooks.Without(hooks, StartupHooks.OwnHook));
    }
}
