using Futures.Orleans.Grains;
using Futures.ProcessPool.Protocol;
using Futures.ProcessPool.WorkerHost;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Futures.Orleans.Worker;

/// <summary>
/// A silo's side of the executor (one per silo, from <c>AddFuturesWorker</c>): the local executor
/// that runs tasks off Orleans' scheduler, and the resolver that finds their code.
/// </summary>
/// <remarks>
/// User code runs on a <see cref="ThreadPoolExecutor"/> of <see cref="FuturesWorkerOptions.MaxConcurrency"/>
/// threads, or, with <see cref="FuturesWorkerOptions.IsolateInProcesses"/>, in a
/// <see cref="ProcessPoolExecutor"/>'s child processes. Calls are the process pool's own
/// <see cref="CallItem"/>s, executed by <see cref="WorkerLoop.Execute(CallItem, Func{MethodRef, ValueTuple{System.Reflection.MethodInfo, object}}, Func{string, Type})"/>,
/// so a call behaves the same on a node as in a worker process.
/// </remarks>
internal sealed class WorkerNode : IDisposable
{
    private readonly ILocalSiloDetails _silo;
    private readonly Executor _executor;
    private NodeInfo? _info;

    /// <summary>Tasks by grain key, e.g. <c>{"127.0.0.1:11111@1/3f2a...": task}</c>: here, not in the grain, so that any activation of the key on this node serves the task.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, NodeTask> _tasks = new(StringComparer.Ordinal);

    /// <summary>Drops tasks that no client has asked about for <see cref="AbandonedAfter"/> (their client is gone).</summary>
    private readonly Timer _sweeper;

    /// <summary>A task not polled for this long is cancelled and forgotten. Clients poll every couple of seconds.</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);

    public WorkerNode(IOptions<FuturesWorkerOptions> options, ILocalSiloDetails silo)
    {
        FuturesWorkerOptions o = options.Value;
        if (o.MaxConcurrency <= 0) throw new ArgumentOutOfRangeException(nameof(options), o.MaxConcurrency, "MaxConcurrency must be greater than 0");
        _silo = silo;
        Options = o;
        Code = new TaskCodeResolver(o.ProbeFolders, silo.Name);
        _executor = o.IsolateInProcesses
            ? new ProcessPoolExecutor(o.MaxConcurrency, workerCrashMode: WorkerCrashMode.ReplaceWorker, name: $"FuturesWorker-{silo.Name}")
            : new ThreadPoolExecutor(o.MaxConcurrency, threadNamePrefix: "FuturesWorker", name: $"FuturesWorker-{silo.Name}");
        if (o.IsolateInProcesses) Environment.SetEnvironmentVariable(IsolatedCall.ProbeFoldersVariable, string.Join(Path.PathSeparator, o.ProbeFolders));
        _sweeper = new Timer(static s => ((WorkerNode)s!).Sweep(), this, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts the task <paramref name="id"/> unless it exists already (Start is idempotent).</summary>
    public void Start(string id, TaskSubmission request)
    {
        if (_tasks.ContainsKey(id)) return;
        var task = new NodeTask(request);
        if (_tasks.TryAdd(id, task)) Run(task);
    }

    /// <summary>The task <paramref name="id"/>, or null when this node never had it (or forgot it).</summary>
    public NodeTask? Find(string id) => _tasks.TryGetValue(id, out NodeTask? task) ? task : null;

    /// <summary>Queues the task again once its code has been uploaded.</summary>
    public void RetryAfterUpload(string id)
    {
        if (Find(id) is not { } old || !old.Done.Task.IsCompletedSuccessfully || old.Done.Task.Result.State != RemoteTaskState.NeedsAssembly) return;
        var task = new NodeTask(old.Request);
        if (_tasks.TryUpdate(id, task, old)) Run(task);
    }

    /// <summary>Forgets the task, cancelling it if it has not started.</summary>
    public void Release(string id)
    {
        if (_tasks.TryRemove(id, out NodeTask? task)) task.Cancel();
    }

    private void Sweep()
    {
        long limit = System.Diagnostics.Stopwatch.GetTimestamp() - (long)(AbandonedAfter.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        foreach (var (id, task) in _tasks)
        {
            if (task.LastSeen < limit) Release(id);
        }
    }

    public FuturesWorkerOptions Options { get; }

    public TaskCodeResolver Code { get; }

    /// <summary>This node, as task grains report it.</summary>
    public NodeInfo Info => _info ??= new NodeInfo(_silo.SiloAddress.ToParsableString(), _silo.Name, Environment.ProcessId);

    /// <summary>Queues <paramref name="task"/> on the local executor.</summary>
    private void Run(NodeTask task)
    {
        TaskSubmission request = task.Request;
        if (Options.IsolateInProcesses)
        {
            // The child process resolves the code itself (the node's deps and probe folders reach it
            // through the environment); the call counts as running from the moment it is queued.
            task.Started.TrySetResult();
            Future<byte[]> isolated = _executor.Submit(IsolatedCall.Run, request.Call);
            task.Future = isolated;
            isolated.AddDoneCallback(f => task.Done.TrySetResult(Outcome(f)));
        }
        else
        {
            Future<TaskPoll> future = _executor.Submit(static (node, t) => node.Execute(t), this, task);
            task.Future = future;
            future.AddDoneCallback(f => task.Done.TrySetResult(f.Exception() is { } e ? Failed(e) : f.Result()));
        }
        if (request.Timeout is { } timeout) _ = EnforceTimeoutAsync(task, timeout);
    }

    /// <summary>Runs on an executor thread: resolves the code and runs the call, as a worker process would.</summary>
    private TaskPoll Execute(NodeTask task)
    {
        task.Started.TrySetResult();
        CallItem call = CallItem.Decode(task.Request.Call);
        try
        {
            Code.ResolveMethod(call.Method);
        }
        catch (MissingTaskAssemblyException missing)
        {
            return new TaskPoll(RemoteTaskState.NeedsAssembly, null,
                new MissingAssembly(missing.AssemblyName, missing.ModuleVersionId, NodeAssemblies.Names.ToArray()));
        }
        catch (Exception)
        {
            // A different build, or a broken assembly: Execute below fails the call with the same exception.
        }
        return Done(WorkerLoop.Execute(call, Code.ResolveMethod, Code.ResolveType));
    }

    private static TaskPoll Done(ResultItem result) => new(RemoteTaskState.Done, result.Encode(), null);

    private static TaskPoll Failed(Exception e) => Done(new ResultItem(0, ExceptionInfo.From(e), []));

    private static TaskPoll Outcome(Future<byte[]> f) => f.Exception() is { } e ? Failed(e) : new TaskPoll(RemoteTaskState.Done, f.Result(), null);

    /// <summary>Fails the task with <see cref="TimeoutException"/> once it has run <paramref name="timeout"/>.</summary>
    private static async Task EnforceTimeoutAsync(NodeTask task, TimeSpan timeout)
    {
        await Task.WhenAny(task.Started.Task, task.Done.Task).ConfigureAwait(false);
        if (await Task.WhenAny(task.Done.Task, Task.Delay(timeout)).ConfigureAwait(false) == task.Done.Task) return;
        task.Done.TrySetResult(Failed(new TimeoutException($"The task ran longer than its timeout ({timeout}).")));
        task.Cancel();
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        _executor.Shutdown(wait: false, cancelFutures: true);
    }
}
