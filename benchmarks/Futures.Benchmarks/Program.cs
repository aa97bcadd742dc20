using BenchmarkDotNet.Running;
using Futures.Benchmarks;

// BenchmarkDotNet:  dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --filter '*'
// Python compare:   dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --compare
if (args.Length > 0 && args[0] == "--compare")
{
    Comparison.Run(args[1..]);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

internal partial class Program;
