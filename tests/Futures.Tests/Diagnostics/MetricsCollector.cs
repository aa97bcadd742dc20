using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Futures.Tests;

/// <summary>Collects the Futures meter's measurements for one executor (by its name tag), so that tests running in parallel don't see each other's.</summary>
internal sealed class MetricsCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _executorName;

    public MetricsCollector(string executorName)
    {
        _executorName = executorName;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Futures") listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measurements { get; } = new();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dict = new Dictionary<string, object?>();
        foreach (var tag in tags) dict[tag.Key] = tag.Value;
        if (!Equals(dict.GetValueOrDefault("futures.executor.name"), _executorName)) return;
        Measurements.Enqueue((instrument.Name, value, dict));
    }

    /// <summary>Reads the observable gauges now and returns the latest value of <paramref name="instrument"/>.</summary>
    public double Observe(string instrument)
    {
        Measurements.Clear();
        _listener.RecordObservableInstruments();
        return Measurements.Where(m => m.Instrument == instrument).Select(m => m.Value).DefaultIfEmpty(double.NaN).Last();
    }

    public double Sum(string instrument, string? outcome = null) =>
        Measurements.Where(m => m.Instrument == instrument && (outcome is null || Equals(m.Tags.GetValueOrDefault("futures.task.outcome"), outcome)))
            .Sum(m => m.Value);

    public int Count(string instrument) => Measurements.Count(m => m.Instrument == instrument);

    public void Dispose() => _listener.Dispose();
}
