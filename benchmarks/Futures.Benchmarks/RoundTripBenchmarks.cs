using BenchmarkDotNet.Attributes;

namespace Futures.Benchmarks;

/// <summary>One call at a time: Submit then Result, against Task.Run then Wait.</summary>
[MemoryDiagnoser]
public class RoundTripBenchmarks
{
    private ThreadPoolExecutor _executor = null!;

    [GlobalSetup]
    public void Setup() => _executor = new ThreadPoolExecutor(maxWorkers: Environment.ProcessorCount);

    [GlobalCleanup]
    public void Cleanup() => _executor.Shutdown();

    [Benchmark(Baseline = true)]
    public int TaskRun() => Task.Run(static () => 1).Result;

    [Benchmark]
    public int Submit() => _executor.Submit(static () => 1).Result();
}
