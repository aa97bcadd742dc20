// Watches executors through the "Futures" meter, the way dotnet-counters or an OpenTelemetry
// exporter would: a MeterListener collects every instrument, and once a second this prints a
// small live table (queue depth, busy workers, tasks completed per second) per executor.
//
// Usage: dotnet run --project samples/ObservabilityDemo -- [seconds=5]
// Live app: dotnet-counters monitor --counters Futures -n <your app>
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Futures;

int seconds = args.Length > 0 ? int.Parse(args[0]) : 5;

var gauges = new ConcurrentDictionary<(string Executor, string Instrument), double>();
var completed = new ConcurrentDictionary<string, long>();
using var listener = new MeterListener
{
    InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == "Futures") l.EnableMeasurementEvents(instrument); },
};
listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => gauges[(NameOf(tags), instrument.Name)] = value);
listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
{
    if (instrument.Name == "futures.tasks.completed") completed.AddOrUpdate(NameOf(tags), value, (_, total) => total + value);
});
listener.Start();

// A mixed workload: short I/O-like waits on a bounded thread pool fed faster than it drains.
await using var io = new ThreadPoolExecutor(maxWorkers: 4, maxQueueSize: 200, name: "io-pool");
await using var cpu = new ThreadPoolExecutor(maxWorkers: 2, name: "cpu-pool");
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
var producer = Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        await io.SubmitAsync(static ms => Thread.Sleep(ms), Random.Shared.Next(1, 20));
        if (Random.Shared.Next(4) == 0) _ = cpu.Submit(static n => Fib(n), 24);
    }
});

Console.WriteLine($"{"executor",-10} {"queued",7} {"busy",5} {"live",5} {"done/s",8}");
var last = new Dictionary<string, long>();
for (int tick = 0; tick < seconds; tick++)
{
    await Task.Delay(TimeSpan.FromSeconds(1));
    listener.RecordObservableInstruments();
    foreach (string name in new[] { "io-pool", "cpu-pool" })
    {
        long total = completed.GetValueOrDefault(name);
        long perSecond = total - last.GetValueOrDefault(name);
        last[name] = total;
        Console.WriteLine($"{name,-10} {gauges.GetValueOrDefault((name, "futures.queue.depth")),7} " +
            $"{gauges.GetValueOrDefault((name, "futures.workers.busy")),5} {gauges.GetValueOrDefault((name, "futures.workers.live")),5} {perSecond,8}");
    }
}
await producer;
Console.WriteLine($"completed: io-pool {completed.GetValueOrDefault("io-pool")}, cpu-pool {completed.GetValueOrDefault("cpu-pool")}");

static string NameOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
{
    foreach (var tag in tags) if (tag.Key == "futures.executor.name") return tag.Value as string ?? "";
    return "";
}

static int Fib(int n) => n < 2 ? n : Fib(n - 1) + Fib(n - 2);
