using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Futures.Orleans.Tests.InProcess;

/// <summary>Traces and gauges of the executor on the two-silo in-process cluster (the silos run in this process, so one listener sees both sides).</summary>
[Collection(InProcessClusterCollection.Name)]
public sealed class OrleansObservabilityTests(InProcessCluster fixture) : TestBase, IDisposable
{
    private static readonly ActivitySource s_submitter = new("Futures.Orleans.Tests.Submitter");

    /// <summary>Holds gated tasks until the test opens it.</summary>
    private static readonly ManualResetEventSlim s_gate = new(false);

    private readonly List<OrleansExecutor> _executors = [];

    private OrleansExecutor NewExecutor(int maxInFlight = 1024)
    {
        var executor = new OrleansExecutor(fixture.Client, new OrleansExecutorOptions { MaxInFlight = maxInFlight, Name = $"obs-{Guid.NewGuid():N}" });
        _executors.Add(executor);
        return executor;
    }

    public void Dispose()
    {
        s_gate.Set();
        foreach (OrleansExecutor executor in _executors) executor.Shutdown(wait: true, cancelFutures: true);
        s_gate.Reset();
    }

    private static int Square(int x) => x * x;

    private static int Throw(int x) => throw new InvalidOperationException($"boom {x}");

    private static int Gated(int x)
    {
        s_gate.Wait(UnexpectedTimeout);
        return x;
    }

    [Fact]
    public void Trace_SubmitterActivity_ParentsTheTaskOnItsNode()
    {
        OrleansExecutor executor = NewExecutor();
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Futures" || source == s_submitter,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        ActivityContext parent;
        Future<int> ok, failed;
        using (Activity submit = s_submitter.StartActivity("submit")!)
        {
            submit.TraceStateString = "futures=1";
            parent = submit.Context;
            ok = executor.Submit(Square, 6);
            failed = executor.Submit(Throw, 2);
        }
        ok.Result(UnexpectedTimeout).Should().Be(36);
        failed.Exception(UnexpectedTimeout).Should().BeOfType<InvalidOperationException>();

        // The node's activities: children of the submitter's, across the grain calls (nothing else carries it).
        Activity[] OnNodes() => [.. stopped.Where(a => a.OperationName == "futures.task" && (string?)a.GetTagItem("futures.executor.name") == executor.Name)];
        SpinWait.SpinUntil(() => OnNodes().Length == 2, UnexpectedTimeout).Should().BeTrue();
        foreach (Activity task in OnNodes())
        {
            task.TraceId.Should().Be(parent.TraceId);
            task.ParentSpanId.Should().Be(parent.SpanId);
            task.HasRemoteParent.Should().BeTrue();
            task.TraceStateString.Should().Be("futures=1");
            task.GetTagItem("futures.executor.kind").Should().Be("orleans");
            task.GetTagItem("futures.node.name").Should().BeOfType<string>().Which.Should().NotBeEmpty();
            task.GetTagItem("futures.node.pid").Should().Be(Environment.ProcessId);
            task.GetTagItem("code.function.name").Should().BeOfType<string>().Which.Should().ContainAny(nameof(Square), nameof(Throw));
        }
        Activity square = OnNodes().Single(a => ((string)a.GetTagItem("code.function.name")!).Contains(nameof(Square)));
        Activity thrown = OnNodes().Single(a => a != square);
        square.Status.Should().Be(ActivityStatusCode.Unset);
        thrown.Status.Should().Be(ActivityStatusCode.Error);
        thrown.StatusDescription.Should().Be("boom 2");

        // The node's local executor ran the call in an activity of its own, nested in the task's.
        SpinWait.SpinUntil(() => stopped.Any(a => a.ParentSpanId == square.SpanId), UnexpectedTimeout).Should().BeTrue();
        stopped.Single(a => a.ParentSpanId == square.SpanId).GetTagItem("futures.executor.kind").Should().Be("thread");
    }

    [Fact]
    public void Gauges_LiveIsNodes_BusyIsOnCluster_DepthIsWaitingLocally()
    {
        OrleansExecutor executor = NewExecutor(maxInFlight: 1);
        var values = new ConcurrentDictionary<string, int>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Futures" && instrument.Name is "futures.workers.live" or "futures.workers.busy" or "futures.queue.depth") l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "futures.executor.name" && (string?)tag.Value == executor.Name) values[instrument.Name] = value;
            }
        });
        listener.Start();
        int Read(string name)
        {
            listener.RecordObservableInstruments();
            return values.GetValueOrDefault(name, -1);
        }

        // Idle: the two silos, read from the membership on demand; nothing busy or waiting.
        SpinWait.SpinUntil(() => Read("futures.workers.live") == 2, UnexpectedTimeout).Should().BeTrue();
        Read("futures.workers.busy").Should().Be(0);
        Read("futures.queue.depth").Should().Be(0);

        // One task on the cluster (MaxInFlight 1), two waiting here.
        Future<int>[] futures = [.. Enumerable.Range(0, 3).Select(i => executor.Submit(Gated, i))];
        Read("futures.workers.busy").Should().Be(1);
        Read("futures.queue.depth").Should().Be(2);
        Read("futures.workers.live").Should().Be(2);
        s_gate.Set();
        futures.Select(f => f.Result(UnexpectedTimeout)).Should().Equal(0, 1, 2);
        SpinWait.SpinUntil(() => Read("futures.workers.busy") == 0, UnexpectedTimeout).Should().BeTrue();
        Read("futures.queue.depth").Should().Be(0);
    }
}
