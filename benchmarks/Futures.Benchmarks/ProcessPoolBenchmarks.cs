using BenchmarkDotNet.Attributes;

namespace Futures.Benchmarks;

/// <summary>
/// The process pool (2 workers) against its floor, a raw anonymous-pipe ping-pong between two .NET
/// processes measured in the same run. Work is static methods, as a process pool requires.
/// </summary>
[MemoryDiagnoser]
public class ProcessPoolBenchmarks
{
    private const int Batch = 2_000;
    private const int MapItems = 200_000;
    private ProcessPoolExecutor _pool = null!;
    private PipePingPong _pipe = null!;
    private readonly Future<int>[] _futures = new Future<int>[Batch];
    private readonly byte[] _tenMegabytes = new byte[10 * 1024 * 1024];

    [GlobalSetup]
    public void Setup()
    {
        _pool = new ProcessPoolExecutor(maxWorkers: 2);
        // Start both workers before measuring.
        Future.Wait([_pool.Submit(Work.Nap, 50), _pool.Submit(Work.Nap, 50)]);
        _pipe = new PipePingPong();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Shutdown();
        _pipe.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw pipe ping-pong (floor)")]
    public void PipeRoundTrip() => _pipe.RoundTrip();

    [Benchmark(Description = "Submit→Result round trip")]
    public int RoundTrip() => _pool.Submit(Work.Identity, 1).Result();

    /// <summary>Tiny tasks: per task, with <see cref="Batch"/> submitted before the results are read.</summary>
    [Benchmark(OperationsPerInvoke = Batch, Description = "tiny tasks via Submit (per task)")]
    public void SubmitThroughput()
    {
        for (int i = 0; i < Batch; i++) _futures[i] = _pool.Submit(Work.Identity, i);
        for (int i = 0; i < Batch; i++) _futures[i].Result();
    }

    [Benchmark(OperationsPerInvoke = MapItems, Description = "Map chunkSize 1000 (per item)")]
    public long MapChunked()
    {
        long sum = 0;
        foreach (int x in _pool.Map(Work.Identity, Enumerable.Range(0, MapItems), chunkSize: 1000)) sum += x;
        return sum;
    }

    [Benchmark(Description = "10 MB byte[] there and back")]
    public int TenMegabytes() => _pool.Submit(Work.Echo, _tenMegabytes).Result().Length;
}

/// <summary>Pool creation to first result, cold each time.</summary>
public class ProcessPoolStartBenchmarks
{
    [Benchmark(Description = "new pool → first result → shutdown")]
    public int FirstResult()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        return pool.Submit(Work.Identity, 1).Result();
    }
}

/// <summary>The work the process-pool benchmarks ship to workers: static methods only.</summary>
public static class Work
{
    public static int Identity(int x) => x;

    public static byte[] Echo(byte[] data) => data;

    /// <summary>What this process has allocated so far (a worker's, for the memory measurements).</summary>
    public static long AllocatedBytes() => GC.GetTotalAllocatedBytes(precise: true);

    /// <summary>The tutorial's process example: pi from the Basel series, sum of 1/k² = π²/6.</summary>
    public static double BaselPi(int n)
    {
        double sum = 0;
        for (int k = 1; k <= n; k++) sum += 1.0 / ((double)k * k);
        return Math.Sqrt(6 * sum);
    }

    public static int Nap(int ms)
    {
        Thread.Sleep(ms); // keeps a worker busy so that the second call starts a second worker
        return ms;
    }
}
