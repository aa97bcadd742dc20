using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Futures.Benchmarks;

// BenchmarkDotNet:  dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --filter '*'
// Python compare:   dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --compare
// Process pool quick pass: dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --process-quick
// Memory targets:   dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --memory
// 100 MB payloads:  dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --large [rounds]
// Before/after:     dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --before DIR --filter '*RoundTrip*'
//                   (DIR: another checkout, e.g. `git worktree add DIR <commit>`; each benchmark runs
//                   as job "before", built against DIR/src/Futures, and job "after", this tree)
if (args.Length > 0 && args[0] == "--compare")
{
    Comparison.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "--pipe-echo")
{
    PipePingPong.Echo(args[1], args[2]);
    return;
}
if (args.Length > 0 && args[0] == "--process-quick")
{
    ProcessPoolQuick.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "--memory")
{
    MemoryMeasurements.Run(args[1..]);
    return;
}
if (args.Length > 0 && args[0] == "--large")
{
    LargePayloadQuick.Run(args[1..]);
    return;
}
if (args.Length > 1 && args[0] == "--before")
{
    string before = Path.GetFullPath(args[1]);
    Job job = Job.MediumRun;
    IConfig config = DefaultConfig.Instance
        .AddJob(job.WithId("before").WithArguments([new MsBuildArgument($"/p:FuturesSource={before}")]))
        .AddJob(job.WithId("after"));
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[2..], config);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

internal partial class Program;
