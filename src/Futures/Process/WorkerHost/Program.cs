using System.IO.Pipes;

namespace Futures.ProcessPool.WorkerHost;

/// <summary>The entry point of Futures.dll when a process pool starts it as a worker.</summary>
/// <remarks>
/// Command line (after <c>dotnet exec --runtimeconfig app.runtimeconfig.json --depsfile app.deps.json Futures.dll</c>):
/// <c>--futures-worker &lt;call pipe handle&gt; &lt;result pipe handle&gt; &lt;parent pid&gt;</c>.
/// stdin, stdout and stderr are the parent's, untouched.
/// </remarks>
internal static class Program
{
    /// <summary>The first argument that marks a worker start.</summary>
    public const string WorkerSwitch = "--futures-worker";

    private static int Main(string[] args)
    {
        if (args.Length != 4 || args[0] != WorkerSwitch)
        {
            Console.Error.WriteLine("Futures.dll is a class library; it runs on its own only as a ProcessPoolExecutor worker.");
            return 2;
        }
        Warmup.Start(); // first: it runs beside everything below
        ParentWatchdog.Start(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        using var calls = new AnonymousPipeClientStream(PipeDirection.In, args[1]);
        using var results = new AnonymousPipeClientStream(PipeDirection.Out, args[2]);
        return new WorkerLoop(calls, results, onParentLost: ParentWatchdog.ExitNow).Run();
    }
}
