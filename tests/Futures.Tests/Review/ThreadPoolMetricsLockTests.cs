using System.Diagnostics.Metrics;

namespace Futures.Tests;

/// <summary>Review findings: metric listeners are user code and run under no lock of the pool.</summary>
public sealed class ThreadPoolMetricsLockTests : TestBase
{
    // futures.workers.started was recorded inside _shutdownLock, so the listener's measurement
    // callback (user code) ran under the pool's lock. A listener that then reads the pool's gauges
    // on another thread (the busy-workers gauge takes that lock) and waits for them deadlocked
    // the submitting thread.
    [Fact]
    public void WorkerStarted_ListenerReadsGaugesOnAnotherThread_DoesNotBlock()
    {
        const string name = "review-metrics-lock";
        bool? gaugesRead = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Futures") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            if (instrument.Name != "futures.workers.started") return;
            foreach (var tag in tags)
            {
                if (tag.Key == "futures.executor.name" && Equals(tag.Value, name))
                    gaugesRead = Task.Run(listener.RecordObservableInstruments).Wait(UnexpectedTimeout);
            }
        });
        listener.SetMeasurementEventCallback<int>((_, _, _, _) => { });
        listener.Start();

        using var ex = new ThreadPoolExecutor(1, name: name);
        ex.Submit(static () => 1).Result(UnexpectedTimeout + UnexpectedTimeout).Should().Be(1);
        gaugesRead.Should().BeTrue();
    }
}
