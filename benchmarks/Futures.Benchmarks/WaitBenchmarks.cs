using BenchmarkDotNet.Attributes;

namespace Futures.Benchmarks;

/// <summary>Wait and AsCompleted over N futures already done and N completed while waiting: time should grow linearly in N.</summary>
[MemoryDiagnoser]
public class WaitBenchmarks
{
    [Params(1_000, 10_000)]
    public int N;

    private Future<int>[] _done = null!;

    [GlobalSetup]
    public void Setup()
    {
        _done = new Future<int>[N];
        for (int i = 0; i < N; i++)
        {
            _done[i] = new Future<int>();
            _done[i].SetResult(i);
        }
    }

    [Benchmark(Baseline = true)]
    public void TaskWhenAllOfDone() => Task.WaitAll(Array.ConvertAll(_done, static f => f.AsTask()));

    [Benchmark]
    public int WaitAllDone() => Future.Wait(_done).Done.Count;

    [Benchmark]
    public int AsCompletedAllDone() => Future.AsCompleted(_done).Count();

    [Benchmark]
    public int WaitCompletedWhileWaiting() => CompletedWhileConsuming(static fs => Future.Wait(fs).Done.Count);

    [Benchmark]
    public int AsCompletedWhileCompleting() => CompletedWhileConsuming(static fs => Future.AsCompleted(fs).Count());

    /// <summary>Runs <paramref name="consume"/> on N pending futures while another thread completes them in order.</summary>
    private int CompletedWhileConsuming(Func<Future<int>[], int> consume)
    {
        var futures = new Future<int>[N];
        for (int i = 0; i < N; i++) futures[i] = new Future<int>();
        var completer = new Thread(() => { foreach (var f in futures) f.SetResult(1); });
        completer.Start();
        int result = consume(futures);
        completer.Join();
        return result;
    }
}
