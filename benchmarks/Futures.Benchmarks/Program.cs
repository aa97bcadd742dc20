using BenchmarkDotNet.Running;
using Futures.Benchmarks;

// BenchmarkDotNet:  dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --filter '*'
// Python compare:   dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --compare
// Process pool quick pass: dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --process-quick
// Memory targets:   dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --memory
// 100 MB payloads:  dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --large [rounds]
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
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

internal partial class Program;
