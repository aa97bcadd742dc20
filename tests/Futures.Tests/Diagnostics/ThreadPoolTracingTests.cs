using System.Collections.Concurrent;
using System.Diagnostics;

namespace Futures.Tests;

public class ThreadPoolTracingTests : TestBase
{
    [Fact]
    public void Submit_WithListener_TaskActivityIsChildOfSubmitterActivity()
    {
        string name = $"tracing-{Guid.NewGuid():N}";
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Futures" or "Futures.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (Equals(a.GetTagItem("futures.executor.name"), name) || a.Source.Name == "Futures.Tests") stopped.Enqueue(a); },
        };
        ActivitySource.AddActivityListener(listener);
        using var testSource = new ActivitySource("Futures.Tests");

        using var executor = new ThreadPoolExecutor(maxWorkers: 1, name: name);
        string? seenInside;
        ActivityTraceId parentTrace;
        ActivitySpanId parentSpan;
        using (Activity parent = testSource.StartActivity("request")!)
        {
            parentTrace = parent.TraceId;
            parentSpan = parent.SpanId;
            seenInside = executor.Submit(static () => Activity.Current?.OperationName).Result(UnexpectedTimeout);
            executor.Submit(static () => throw new InvalidOperationException("traced")).Exception(UnexpectedTimeout);
        }

        seenInside.Should().Be("futures.task");
        var tasks = stopped.Where(a => a.OperationName == "futures.task").ToList();
        tasks.Should().HaveCount(2);
        tasks.Should().OnlyContain(a => a.TraceId == parentTrace && a.ParentSpanId == parentSpan);
        tasks.Should().ContainSingle(a => a.Status == ActivityStatusCode.Error);
        tasks[0].GetTagItem("futures.executor.kind").Should().Be("thread");
    }
}
