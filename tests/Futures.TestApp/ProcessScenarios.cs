using System.IO.Pipes;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Futures.TestApp;

/// <summary>
/// The process-pool scenarios: what happens to a pool and its worker processes when this program
/// ends — normally with work still pending, or by an exit or a crash in the middle of the parent's
/// own part of a call (serializing an argument, deserializing a result). The test reads the pids
/// printed here and checks that no worker outlives this process.
/// </summary>
public static class ProcessScenarios
{
    /// <summary>
    /// Submits a call that cannot finish before this process has begun to exit: the worker waits
    /// for a byte that a ProcessExit handler (registered before the pool's own exit hook) sends.
    /// Main then returns without Shutdown (or after <c>Shutdown(wait: false)</c>); the pool's exit
    /// hook must still let the call finish, and prints <c>done &lt;worker pid&gt;</c> from its done-callback.
    /// </summary>
    public static void PendingWork(bool shutdownNoWait)
    {
        // Not disposed: it must stay open until ProcessExit, and the worker inherits its client end.
        var release = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            release.WriteByte(1);
            release.Flush();
        };
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Future<int> f = pool.Submit(WaitForRelease, release.GetClientHandleAsString());
        f.AddDoneCallback(static done =>
        {
            Console.WriteLine(done.Exception() is { } e ? $"failed {e.GetType().Name}: {e.Message}" : $"done {done.Result()}");
            Console.Out.Flush();
        });
        if (shutdownNoWait) pool.Shutdown(wait: false);
    }

    /// <summary>A worker writes a line to its stderr, which the pool forwards to this process's; prints <c>worker &lt;pid&gt;</c>.</summary>
    public static void Stderr()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Console.WriteLine($"worker {pool.Submit(WriteToStderr).Result(TimeSpan.FromSeconds(60))}");
    }

    /// <summary>Runs in the worker: writes to its stderr and returns its pid.</summary>
    public static int WriteToStderr()
    {
        Console.Error.WriteLine($"stderr of worker {Environment.ProcessId}");
        return Environment.ProcessId;
    }

    /// <summary>Runs in the worker: blocks until the parent sends a byte, then returns the worker's pid.</summary>
    public static int WaitForRelease(string pipeHandle)
    {
        using var pipe = new AnonymousPipeClientStream(PipeDirection.In, pipeHandle);
        if (pipe.ReadByte() < 0) throw new InvalidOperationException("the parent closed the pipe without releasing the call");
        return Environment.ProcessId;
    }

    /// <summary>
    /// Starts two workers and prints <c>workers &lt;pid&gt; &lt;pid&gt;</c>, then exits (code 17) or crashes
    /// (Environment.FailFast) while this process serializes an argument (on the submitting thread),
    /// deserializes a result or runs a done-callback (both on the pool's manager thread).
    /// </summary>
    public static void Fault(string failure, string stage)
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 2);
        // Two calls at once, each holding its worker for a moment: the second starts a second worker.
        var warm = new[] { pool.Submit(Hold, 300), pool.Submit(Hold, 300) };
        Console.WriteLine($"workers {string.Join(' ', warm.Select(f => f.Result(TimeSpan.FromSeconds(60))).Distinct())}");
        Console.Out.Flush();
        switch (stage)
        {
            case "serialize-argument":
                pool.Submit(TakeArgument, new FaultyArgument { Mode = failure });
                break;
            case "deserialize-result":
                pool.Submit(MakeResult, failure).Result(TimeSpan.FromSeconds(60));
                break;
            case "done-callback":
                // The call outlasts AddDoneCallback (simulated work), so the callback runs on the manager thread.
                pool.Submit(Hold, 500).AddDoneCallback(_ => Fail(failure, "running a done-callback"));
                new ManualResetEventSlim().Wait(TimeSpan.FromSeconds(60)); // the callback ends the process
                break;
            default:
                throw new ArgumentException($"unknown stage '{stage}'", nameof(stage));
        }
        Console.WriteLine("not reached");
    }

    /// <summary>Runs in a worker: holds it for a while (simulated work), then returns its pid.</summary>
    public static int Hold(int milliseconds)
    {
        Thread.Sleep(milliseconds); // simulates work, so that the other call finds this worker busy
        return Environment.ProcessId;
    }

    public static int TakeArgument(FaultyArgument argument) => 1;

    public static FaultyResult MakeResult(string mode) => new() { Mode = mode };

    internal static void Fail(string mode, string where)
    {
        Console.WriteLine($"{mode} while {where}");
        Console.Out.Flush();
        if (mode == "exit") Environment.Exit(17);
        Environment.FailFast($"crash while {where}");
    }
}

/// <summary>An argument whose serialization in the parent exits or crashes the parent.</summary>
[JsonConverter(typeof(FaultyArgumentConverter))]
public sealed class FaultyArgument
{
    public string Mode = "";
}

public sealed class FaultyArgumentConverter : JsonConverter<FaultyArgument>
{
    public override FaultyArgument Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new() { Mode = reader.GetString()! };

    public override void Write(Utf8JsonWriter writer, FaultyArgument value, JsonSerializerOptions options)
    {
        ProcessScenarios.Fail(value.Mode, "serializing an argument");
        writer.WriteStringValue(value.Mode);
    }
}

/// <summary>A result whose deserialization in the parent exits or crashes the parent (the worker writes it fine).</summary>
[JsonConverter(typeof(FaultyResultConverter))]
public sealed class FaultyResult
{
    public string Mode = "";
}

public sealed class FaultyResultConverter : JsonConverter<FaultyResult>
{
    public override FaultyResult Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string mode = reader.GetString()!;
        ProcessScenarios.Fail(mode, "deserializing a result");
        return new FaultyResult { Mode = mode };
    }

    public override void Write(Utf8JsonWriter writer, FaultyResult value, JsonSerializerOptions options) => writer.WriteStringValue(value.Mode);
}

/// <summary>
/// A method for a worker to run from an assembly that the calling app does not list in its
/// deps.json: the tests load this assembly by path, and their workers must find it the same way.
/// </summary>
public static class PluginTasks
{
    /// <summary>Where the worker loaded this assembly from, and the worker's pid.</summary>
    public static string WhereAmI() => $"{typeof(PluginTasks).Assembly.Location}|{Environment.ProcessId}";
}
