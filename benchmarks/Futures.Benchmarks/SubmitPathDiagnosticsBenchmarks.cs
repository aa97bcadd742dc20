using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;

namespace Futures.Benchmarks;

/// <summary>
/// The submit path's cost with and without a listener on the Futures meter and activity source.
/// Without one, diagnostics must add no allocation: compare Allocated with the no-listener row.
/// </summary>
[MemoryDiagnoser]
public class SubmitPathDiagnosticsBenchmarks
{
    private const int Batch = 1_000;
    private ThreadPoolExecutor _executor = null!;
    private readonly Future<int>[] _futures = new Future<int>[Batch];
    private MeterListener? _meterListener;
    private ActivityListener? _activityListener;

    [Params(false, true)]
    public bool Listening;

    [GlobalSetup]
    public void Setup()
    {
        _executor = new ThreadPoolExecutor(maxWorkers: Environment.ProcessorCount);
        if (!Listening) return;
        _meterListener = new MeterListener
        {
            InstrumentPublished = (i, l) => { if (i.Meter.Name == "Futures") l.EnableMeasurementEvents(i); },
        };
        _meterListener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _meterListener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _meterListener.Start();
        _activityListener = new ActivityListener
        {
            ShouldListenTo = static s => s.Name == "Futures",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(_activityListener);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _executor.Shutdown();
        _meterListener?.Dispose();
        _activityListener?.Dispose();
    }

    /// <summary>Submit only (the caller's side), measured per call; results are awaited outside the loop.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void Submit()
    {
        for (int i = 0; i < Batch; i++) _futures[i] = _executor.Submit(static () => 1);
        for (int i = 0; i < Batch; i++) _futures[i].Result();
    }
}
