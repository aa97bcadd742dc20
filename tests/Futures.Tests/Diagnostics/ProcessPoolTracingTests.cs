using System.Collections.Concurrent;
using System.Diagnostics;

namespace Futures.Tests;

/// <summary>Trace context across the process boundary: submitter → parent-side futures.task → the worker's activity.</summary>
[Collection("ProcessPool")]
public sealed class ProcessPoolTracingTests : ProcessTestBase
{
    /// <summary>Runs in a worker: what <see cref="Activity.Current"/> looks like to user code there.</summary>
    public static string[] CurrentActivity() => Activity.Current is { } a
        ? [a.OperationName, a.TraceId.ToString(), a.ParentSpanId.ToString(), a.TraceStateString ?? ""]
        : [];

    [Fact]
    public void Submit_WithListener_WorkerActivityIsChildOfParentTaskActivity_WhichIsChildOfSubmitter()
    {
        string name = $"proctracing-{Guid.NewGuid():N}";
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Futures" or "Futures.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (Equals(a.GetTagItem("futures.executor.name"), name)) stopped.Enqueue(a); },
        };
        ActivitySource.AddActivityListener(listener);
        using var testSource = new ActivitySource("Futures.Tests");
        var pool = NewPool(maxWorkers: 1, name: name);

        string[] seen;
        Exception? failure;
        ActivityTraceId traceId;
        ActivitySpanId submitterSpan;
        using (Activity request = testSource.StartActivity("request")!)
        {
            request.TraceStateString = "futures=test";
            traceId = request.TraceId;
            submitterSpan = request.SpanId;
            seen = pool.Submit(CurrentActivity).Result(UnexpectedTimeout);
            failure = pool.Submit(ProcessTasks.Throw, "traced").Exception(UnexpectedTimeout);
            Activity.Current.Should().BeSameAs(request, "Submit leaves the submitter's current activity alone");
        }

        failure.Should().BeOfType<InvalidOperationException>();
        var tasks = stopped.Where(a => a.OperationName == "futures.task").ToList();
        tasks.Should().HaveCount(2);
        tasks.Should().OnlyContain(a => a.TraceId == traceId && a.ParentSpanId == submitterSpan);
        tasks.Should().OnlyContain(a => Equals(a.GetTagItem("futures.executor.kind"), "process"));
        Activity call = tasks.Single(a => Equals(a.GetTagItem("code.function.name"), nameof(CurrentActivity)));
        tasks.Single(a => a != call).Status.Should().Be(ActivityStatusCode.Error);

        seen.Should().Equal("futures.task.invoke", traceId.ToString(), call.SpanId.ToString(), "futures=test");
    }

    [Fact]
    public void Submit_WithoutListener_WorkerHasNoActivity()
    {
        var pool = NewPool(maxWorkers: 1);
        using var request = new Activity("untraced").Start(); // a current activity, but nobody listens to Futures
        pool.Submit(CurrentActivity).Result(UnexpectedTimeout).Should().BeEmpty();
    }

    [Fact]
    public void Map_WithListener_EachChunkIsOneTracedCall()
    {
        string name = $"proctracing-{Guid.NewGuid():N}";
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Futures",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (Equals(a.GetTagItem("futures.executor.name"), name)) stopped.Enqueue(a); },
        };
        ActivitySource.AddActivityListener(listener);
        var pool = NewPool(maxWorkers: 1, name: name);
        pool.Map(static (int i) => Activity.Current?.TraceId.ToString() ?? "", Enumerable.Range(0, 6), chunkSize: 3).ToList()
            .Should().HaveCount(6).And.OnlyContain(id => id.Length == 32);
        stopped.Count(a => a.OperationName == "futures.task").Should().Be(2);
    }
}
