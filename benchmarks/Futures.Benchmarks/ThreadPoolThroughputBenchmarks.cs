using BenchmarkDotNet.Attributes;
using Futures;

namespace Futures.Benchmarks;

/// <summary>No-op Submit→Result throughput: the thread pool against Task.Run + Task.WaitAll on the same work.</summary>
[MemoryDiagnoser]
public class ThreadPoolThroughputBenchmarks
{
    private const int Tasks = 100_000;
    private ThreadPoolExecutor _executor = null!;
    private readonly Future<int>[] _futures = new Future<int>[Tasks];
    private readonly Task<int>[] _tasks = new Task<int>[Tasks];

    [GlobalSetup]
    public void Setup() => _executor = new ThreadPoolExecutor(maxWorkers: Environment.ProcessorCount);

    [GlobalCleanup]
    public void Cleanup() => _executor.Shutdown();

    [Benchmark(Baseline = true, OperationsPerInvoke = Tasks)]
    public void TaskRun()
    {
        for (int i = 0; i < Tasks; i++) _tasks[i] = Task.Run(static () => 1);
        Task.WaitAll(_tasks);
    }

    [Benchmark(OperationsPerInvoke = Tasks)]
    public void Submit()
    {
        for (int i = 0; i < Tasks; i++) _futures[i] = _executor.Submit(static () => 1);
        for (int i = 0; i < Tasks; i++) _futures[i].Result();
    }
}
