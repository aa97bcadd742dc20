using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

internal partial class Program;
