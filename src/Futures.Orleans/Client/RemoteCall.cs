using System.Diagnostics;
using Futures.Diagnostics;
using Futures.Orleans.Grains;
using Futures.ProcessPool;
using Futures.ProcessPool.Protocol;
using Orleans;
using Orleans.Runtime;

namespace Futures.Orleans.Client;

/// <summary>One submitted call on its way through the cluster: start it on a task grain, long-poll its outcome, complete its future.</summary>
/// <remarks>
/// One attempt is one task grain: a fresh id naming the node the watcher picked (<see cref="NodePinnedPlacement"/>). An attempt
/// ends with the outcome, or with the node lost: its silo was declared dead (<see cref="NodeWatcher"/>)
/// or a poll reached an empty activation. A lost attempt whose task had not started is made again
/// without counting; one whose task was running fails with <see cref="WorkerLostException"/> or,
/// with <see cref="OrleansExecutorOptions.RetriesOnNodeLoss"/> left, is made again.
/// </remarks>
internal sealed class RemoteCall(OrleansExecutor executor, PendingCall call)
{
    /// <summary>How long a poll waits on the node before it answers "still running". Longer means fewer calls per running task.</summary>
    public static readonly TimeSpan PollWait = TimeSpan.FromSeconds(2);

    /// <summary>Attempts to start a call (each bounded by Start's response timeout) before the cluster counts as unreachable.</summary>
    private const int StartAttempts = 3;

    /// <summary>Polls in a row that fail with a transport error (not a timeout) before the call fails with that error.</summary>
    private const int PollErrorLimit = 20;

    /// <summary>The submitter's activity as W3C trace context, read at Submit on the submitting thread; the node parents the task's activity on it.</summary>
    private readonly (string? Parent, string? State) _trace = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current
        ? (current.Id, current.TraceStateString)
        : (null, null);

    public Future Future => call.Future;

    /// <summary>Whether the last word from the node was that the task runs (not queued); a lost node then counts against the retries.</summary>
    public volatile bool ObservedRunning;

    /// <summary>Drives the call to its end; never throws.</summary>
    public async Task RunAsync()
    {
        try
        {
            await RunCoreAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            executor.Complete(this, () => Future.SetException(e), TaskOutcome.Exception);
        }
    }

    private async Task RunCoreAsync()
    {
        var request = new TaskSubmission(call.Encode(), executor.TaskTimeout, executor.Name, _trace.Parent, _trace.State);
        int retriesLeft = executor.RetriesOnNodeLoss;
        while (true)
        {
            (Attempt outcome, NodeInfo? node, TaskPoll? done) = await AttemptAsync(request).ConfigureAwait(false);
            switch (outcome)
            {
                case Attempt.Done:
                    ResultItem result = ResultItem.Decode(done!.Result!);
                    executor.Complete(this, () => call.Complete(result), result.Exception is null ? TaskOutcome.Result : TaskOutcome.Exception);
                    return;
                case Attempt.Broken:
                    executor.FailBroken(this);
                    return;
                case Attempt.LostQueued:
                    continue;
                case Attempt.LostRunning:
                    var lost = new WorkerLostException(
                        $"The worker node {node} was lost while running this task ({call.Method.DisplayName}).");
                    if (executor.WorkerCrashMode == WorkerCrashMode.BreakPool)
                    {
                        executor.Break(lost);
                        executor.FailBroken(this);
                        return;
                    }
                    if (retriesLeft-- > 0) continue;
                    executor.Complete(this, () => Future.SetException(lost), TaskOutcome.Broken);
                    return;
            }
        }
    }

    private enum Attempt { Done, LostQueued, LostRunning, Broken }

    private async Task<(Attempt, NodeInfo?, TaskPoll?)> AttemptAsync(TaskSubmission request)
    {
        string chosen = await executor.Watcher.PickAsync().ConfigureAwait(false);
        try
        {
            return await AttemptOnAsync(executor.Client.GetGrain<ITaskGrain>(NodePinnedPlacement.Key(chosen, Guid.NewGuid())), request).ConfigureAwait(false);
        }
        finally
        {
            executor.Watcher.Unpick(chosen);
        }
    }

    private async Task<(Attempt, NodeInfo?, TaskPoll?)> AttemptOnAsync(ITaskGrain grain, TaskSubmission request)
    {
        ObservedRunning = false;
        NodeInfo node = await StartAsync(grain, request).ConfigureAwait(false);
        Task lost = executor.Watcher.Watch(node.Silo);
        try
        {
            bool running = false;
            int errors = 0;
            while (true)
            {
                Task<TaskPoll> poll = grain.Poll(PollWait);
                Task first = await Task.WhenAny(poll, lost, executor.BrokenSignal).ConfigureAwait(false);
                if (first != poll)
                {
                    // Abandoned: it ends with its response timeout at the latest; observe that quietly.
                    _ = poll.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
                    return (first == lost ? (running ? Attempt.LostRunning : Attempt.LostQueued) : Attempt.Broken, node, null);
                }
                TaskPoll state;
                try
                {
                    state = await poll.ConfigureAwait(false);
                    errors = 0;
                }
                catch (TimeoutException)
                {
                    continue; // no answer in time: its silo may be dying; the watcher or the next poll tells
                }
                catch (Exception e) when (e is OrleansException && ++errors < PollErrorLimit)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * errors)).ConfigureAwait(false);
                    continue;
                }
                switch (state.State)
                {
                    case RemoteTaskState.Done:
                        grain.Release().Ignore();
                        return (Attempt.Done, node, state);
                    case RemoteTaskState.Unknown:
                        return (running ? Attempt.LostRunning : Attempt.LostQueued, node, null);
                    case RemoteTaskState.Running:
                        running = ObservedRunning = true;
                        break;
                    case RemoteTaskState.NeedsAssembly:
                        running = ObservedRunning = false;
                        await executor.Uploader.UploadAsync(grain, node, state.Missing!).ConfigureAwait(false);
                        break;
                }
            }
        }
        finally
        {
            executor.Watcher.Unwatch(node.Silo);
        }
    }

    /// <summary>Starts the call on <paramref name="grain"/>; Start is idempotent, so a lost answer is asked again.</summary>
    /// <exception cref="BrokenExecutorException">No silo answered: the cluster is unreachable.</exception>
    private async Task<NodeInfo> StartAsync(ITaskGrain grain, TaskSubmission request)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await grain.Start(request).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException && attempt < StartAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                var unreachable = new BrokenExecutorException(
                    $"The Orleans cluster is unreachable from {executor.Name}: {e.Message}", e);
                executor.Break(unreachable);
                throw unreachable;
            }
        }
    }
}
