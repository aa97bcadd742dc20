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
    public int WaitCompletedWhileWaiting()
    {
        var futures = new Future<int>[N];
        for (int i = 0; i < N; i++) futures[i] = new Future<int>();
        var completer = new Thread(() => { foreach (var f in futures) f.SetResult(1); });
        completer.Start();
        int done = Future.Wait(futures).Done.Count;
        completer.Join();
        return done;
    }

    [Benchmark]
    public int AsCompletedWhileCompleting()
    {
        var futures = new Future<int>[N];
        for (int i = 0; i < N; i++) futures[i] = new Future<int>();
        var completer = new Thread(() => { foreach (var f in futures) f.SetResult(1); });
        completer.Start();
        int count = Future.AsCompleted(futures).Count();
        completer.Join();
        return count;
    }
}
