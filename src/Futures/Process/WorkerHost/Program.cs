namespace Futures.ProcessPool.WorkerHost;

/// <summary>The entry point of Futures.dll when a process pool starts it with <c>dotnet exec</c> as a worker.</summary>
/// <remarks>
/// Command line (after <c>dotnet exec --runtimeconfig app.runtimeconfig.json --depsfile app.deps.json Futures.dll</c>):
/// <c>--futures-worker</c>; the pipes and the parent's pid are in <see cref="WorkerEntry.EnvironmentVariable"/>,
/// as for every other entry point (see <see cref="WorkerEntry"/>). stdin and stdout are the parent's, untouched;
/// stderr goes to the parent, which forwards it to its own.
/// </remarks>
internal static class Program
{
    /// <summary>The only argument, that marks a worker start.</summary>
    public const string WorkerSwitch = "--futures-worker";

    private static int Main(string[] args)
    {
        if (args is [WorkerSwitch] && WorkerEntry.TakeFromEnvironment() is { } start) WorkerEntry.RunAndExit(start);
        Console.Error.WriteLine("Futures.dll is a class library; it runs on its own only as a ProcessPoolExecutor worker.");
        return 2;
    }
}
