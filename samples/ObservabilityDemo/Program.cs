// Watches executors through the "Futures" meter, the way dotnet-counters or an OpenTelemetry
// exporter would: a MeterListener collects every instrument, and once a second this prints a
// small live table (queue depth, busy workers, tasks completed per second) per executor: two
// thread pools and a process pool, whose workers are child processes.
//
// Usage: dotnet run --project samples/ObservabilityDemo -- [seconds=5]
// Live app: dotnet-counters monitor --counters Futures -n <your app>
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Futures;

int seconds = args.Length > 0 ? int.Parse(args[0]) : 5;

var gauges = new ConcurrentDictionary<(string Executor, string Instrument), double>();
var completed = new ConcurrentDictionary<string, long>();
var kinds = new ConcurrentDictionary<string, string>();
using var listener = new MeterListener
{
    InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == "Futures") l.EnableMeasurementEvents(instrument); },
};
listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
{
    gauges[(NameOf(tags), instrument.Name)] = value;
    kinds[NameOf(tags)] = TagOf(tags, "futures.executor.kind");
});
listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
{
    if (instrument.Name == "futures.tasks.completed") completed.AddOrUpdate(NameOf(tags), value, (_, total) => total + value);
});
listener.Start();

// A mixed workload: short I/O-like waits on a bounded thread pool fed faster than it drains,
// CPU work on a second thread pool, and heavier CPU work in worker processes (a bounded queue,
// so SubmitAsync waits for room instead of queueing without end).
await using var io = new ThreadPoolExecutor(maxWorkers: 4, maxQueueSize: 200, name: "io-pool");
await using var cpu = new ThreadPoolExecutor(maxWorkers: 2, name: "cpu-pool");
await using var procs = new ProcessPoolExecutor(maxWorkers: 2, maxQueueSize: 8, name: "proc-pool");
string[] names = ["io-pool", "cpu-pool", "proc-pool"];
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
var producer = Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        await io.SubmitAsync(static ms => Thread.Sleep(ms), Random.Shared.Next(1, 20));
        if (Random.Shared.Next(4) == 0) _ = cpu.Submit(static n => Fib(n), 24);
    }
});
var processProducer = Task.Run(async () =>
{
    // A static method crosses to a worker process; its argument travels as JSON.
    while (!stop.IsCancellationRequested) await procs.SubmitAsync(Fib, 30);
});

Console.WriteLine($"{"executor",-10} {"kind",-8} {"queued",7} {"busy",5} {"live",5} {"done/s",8}");
var last = new Dictionary<string, long>();
for (int tick = 0; tick < seconds; tick++)
{
    await Task.Delay(TimeSpan.FromSeconds(1));
    listener.RecordObservableInstruments();
    foreach (string name in names)
    {
        long total = completed.GetValueOrDefault(name);
        long perSecond = total - last.GetValueOrDefault(name);
        last[name] = total;
        Console.WriteLine($"{name,-10} {kinds.GetValueOrDefault(name, ""),-8} {gauges.GetValueOrDefault((name, "futures.queue.depth")),7} " +
            $"{gauges.GetValueOrDefault((name, "futures.workers.busy")),5} {gauges.GetValueOrDefault((name, "futures.workers.live")),5} {perSecond,8}");
    }
}
await producer;
await processProducer;
Console.WriteLine($"completed: {string.Join(", ", names.Select(n => $"{n} {completed.GetValueOrDefault(n)}"))}");

static string NameOf(ReadOnlySpan<KeyValuePair<string, object?>> tags) => TagOf(tags, "futures.executor.name");

static string TagOf(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
{
    foreach (var tag in tags) if (tag.Key == key) return tag.Value as string ?? "";
    return "";
}

static int Fib(int n) => n < 2 ? n : Fib(n - 1) + Fib(n - 2);
