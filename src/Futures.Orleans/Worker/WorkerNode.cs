using System.Collections.Concurrent;
using System.Diagnostics;
using Futures.Diagnostics;
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
/// threads, or, with <see cref="FuturesWorkerOptions.IsolateInProcesses"/>, in the child processes of
/// a <see cref="ProcessPoolExecutor"/> (one per task timeout, whose <c>taskTimeout</c> kills and
/// replaces the child of a task that overruns). Calls are the process pool's own
/// <see cref="CallItem"/>s, executed by <see cref="WorkerLoop.Execute(CallItem, Func{MethodRef, ValueTuple{System.Reflection.MethodInfo, object}}, Func{string, Type})"/>,
/// so a call behaves the same on a node as in a worker process. Each task gets a <c>futures.task</c>
/// activity parented on the submitter's trace context, current while the task is queued locally,
/// so that the local executor's own activity nests under it.
/// </remarks>
internal sealed class WorkerNode : IDisposable
{
    private readonly ILocalSiloDetails _silo;

    /// <summary>Runs tasks on threads; null when tasks are isolated in processes.</summary>
    private readonly ThreadPoolExecutor? _threads;

    /// <summary>With <see cref="FuturesWorkerOptions.IsolateInProcesses"/>: process pools by task timeout (<see cref="TimeSpan.Zero"/> for none), made on first use, e.g. <c>{00:00:00: pool, 00:00:05: pool}</c>. Creation and disposal under its own lock.</summary>
    private readonly Dictionary<TimeSpan, ProcessPoolExecutor> _pools = [];

    /// <summary>Set by <see cref="Dispose"/>, under the lock of <see cref="_pools"/>: no pool is made after it.</summary>
    private bool _disposed;

    private NodeInfo? _info;

    /// <summary>Sessions by link key, e.g. <c>{"127.0.0.1:11111@1/3f2a...": session}</c>: here, not in the grain, so that any activation of the key on this node serves the link.</summary>
    private readonly ConcurrentDictionary<string, NodeSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>Closes sessions that no client has asked about for <see cref="AbandonedAfter"/> (their client is gone).</summary>
    private readonly Timer _sweeper;

    /// <summary>A session not asked about for this long is closed and forgotten. Clients poll every couple of seconds while they have calls here.</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);

    public WorkerNode(IOptions<FuturesWorkerOptions> options, ILocalSiloDetails silo)
    {
        FuturesWorkerOptions o = options.Value;
        if (o.MaxConcurrency <= 0) throw new ArgumentOutOfRangeException(nameof(options), o.MaxConcurrency, "MaxConcurrency must be greater than 0");
        _silo = silo;
        Options = o;
        Code = new TaskCodeResolver(o.ProbeFolders, silo.Name);
        if (o.IsolateInProcesses)
        {
            Environment.SetEnvironmentVariable(IsolatedCall.ProbeFoldersVariable, string.Join(Path.PathSeparator, o.ProbeFolders));
            _ = IsolatedCall.UploadFolder; // made now, so that every child inherits its variable
        }
        else
        {
            _threads = new ThreadPoolExecutor(o.MaxConcurrency, threadNamePrefix: "FuturesWorker", name: $"FuturesWorker-{silo.Name}");
        }
        _sweeper = new Timer(static s => ((WorkerNode)s!).Sweep(), this, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
    }

    /// <summary>The session of the link <paramref name="key"/>, made on first use.</summary>
    public NodeSession Session(string key) => _sessions.TryGetValue(key, out NodeSession? session) ? session : _sessions.GetOrAdd(key, _ => new NodeSession(this));

    /// <summary>Ends the session of the link <paramref name="key"/>, cancelling its calls that have not started.</summary>
    public void CloseSession(string key)
    {
        if (_sessions.TryRemove(key, out NodeSession? session)) session.Close();
    }

    /// <summary>Adds an uploaded closure, and saves it for the child processes when tasks are isolated.</summary>
    public void AddUpload(AssemblyUpload upload)
    {
        Code.AddUpload(upload.ModuleVersionId, upload.Names, upload.Images);
        if (Options.IsolateInProcesses) IsolatedCall.Save(upload.ModuleVersionId, upload.Names, upload.Images);
    }

    private void Sweep()
    {
        long limit = Stopwatch.GetTimestamp() - (long)(AbandonedAfter.TotalSeconds * Stopwatch.Frequency);
        foreach (var (key, session) in _sessions)
        {
            if (session.LastSeen < limit) CloseSession(key);
        }
    }

    public FuturesWorkerOptions Options { get; }

    public TaskCodeResolver Code { get; }

    /// <summary>This node, as its sessions' answers name it.</summary>
    public NodeInfo Info => _info ??= new NodeInfo(_silo.SiloAddress.ToParsableString(), _silo.Name, Environment.ProcessId);

    /// <summary>Queues <paramref name="task"/> on the local executor, under its activity.</summary>
    public void Run(NodeTask task)
    {
        Activity? previous = Activity.Current;
        task.Activity = StartActivity(task);
        try
        {
            if (_threads is not null) RunOnThread(task, _threads);
            else ThreadPool.UnsafeQueueUserWorkItem(static s => s.Node.RunIsolated(s.Task), (Node: this, Task: task), preferLocal: false);
        }
        finally
        {
            // Run is called on a grain turn: the activity is current only while the local executor
            // captures the submitter's context, and does not leak into the turn.
            Activity.Current = previous;
        }
        if (task.Activity is { } activity) _ = task.Done.Task.ContinueWith(static (t, a) => StopActivity((Activity)a!, t.Result), activity, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void RunOnThread(NodeTask task, ThreadPoolExecutor threads)
    {
        Future<CallUpdate> future = threads.Submit(static (node, t) => node.Execute(t), this, task);
        task.SetFuture(future);
        future.AddDoneCallback(f => task.Finish(f.Exception() is { } e ? Failed(task, e) : f.Result()));
        if (task.Timeout is { } timeout) _ = EnforceTimeoutAsync(task, timeout);
    }

    /// <summary>Runs on a .NET thread-pool thread (loading code is no work for a grain turn): checks the code on the node, then queues the call on the process pool of its timeout.</summary>
    /// <remarks>
    /// The node resolves the method first so that a missing build asks the client for an upload
    /// (which the node saves for its children) and a different build fails before any child runs;
    /// the child then resolves it again by itself. The call counts as running from here on.
    /// </remarks>
    private void RunIsolated(NodeTask task)
    {
        task.MarkStarted();
        Activity.Current = task.Activity; // so that the process pool's own activity nests under the task's
        try
        {
            if (CheckCode(task, CallItem.Decode(task.Call.Call)) is { } needsAssembly)
            {
                task.Finish(needsAssembly);
                return;
            }
            Future<byte[]> isolated = PoolFor(task.Timeout).Submit(IsolatedCall.Run, task.Call.Call);
            task.SetFuture(isolated);
            isolated.AddDoneCallback(f => task.Finish(f.Exception() is { } e ? Failed(task, e) : new CallUpdate(task.Call.Id, CallEvent.Done, f.Result(), null)));
        }
        catch (Exception e)
        {
            // The node is shutting down (its pools refuse work), or the call is unreadable.
            task.Finish(Failed(task, e));
        }
        finally
        {
            Activity.Current = null;
        }
    }

    /// <summary>The process pool for tasks of <paramref name="timeout"/>, made on first use.</summary>
    /// <exception cref="ObjectDisposedException">The node is shutting down.</exception>
    private ProcessPoolExecutor PoolFor(TimeSpan? timeout)
    {
        TimeSpan key = timeout ?? TimeSpan.Zero;
        lock (_pools)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_pools.TryGetValue(key, out ProcessPoolExecutor? pool))
            {
                string name = $"FuturesWorker-{_silo.Name}" + (timeout is null ? "" : $"-timeout-{key.TotalMilliseconds:F0}ms");
                pool = new ProcessPoolExecutor(Options.MaxConcurrency, taskTimeout: timeout, workerCrashMode: WorkerCrashMode.ReplaceWorker, name: name);
                _pools[key] = pool;
            }
            return pool;
        }
    }

    /// <summary>Runs on an executor thread: resolves the code and runs the call, as a worker process would.</summary>
    private CallUpdate Execute(NodeTask task)
    {
        task.MarkStarted();
        CallItem call = CallItem.Decode(task.Call.Call);
        return CheckCode(task, call) ?? Done(task, WorkerLoop.Execute(call, Code.ResolveMethod, Code.ResolveType));
    }

    /// <summary>A NeedsAssembly update when the node has no build of the call's assembly; null when the call can go on.</summary>
    private CallUpdate? CheckCode(NodeTask task, CallItem call)
    {
        try
        {
            Code.ResolveMethod(call.Method);
        }
        catch (MissingTaskAssemblyException missing)
        {
            return new CallUpdate(task.Call.Id, CallEvent.NeedsAssembly, null,
                new MissingAssembly(missing.AssemblyName, missing.ModuleVersionId, NodeAssemblies.Names.ToArray()));
        }
        catch (Exception)
        {
            // A different build, or a broken assembly: executing the call fails it with the same exception.
        }
        return null;
    }

    private static CallUpdate Done(NodeTask task, ResultItem result) => new(task.Call.Id, CallEvent.Done, result.Encode(), null);

    private static CallUpdate Failed(NodeTask task, Exception e) => Done(task, new ResultItem(0, ExceptionInfo.From(e), []));

    /// <summary>Thread mode: fails the task with <see cref="TimeoutException"/> once it has run <paramref name="timeout"/>; its thread's call is abandoned.</summary>
    private static async Task EnforceTimeoutAsync(NodeTask task, TimeSpan timeout)
    {
        await Task.WhenAny(task.Started.Task, task.Done.Task).ConfigureAwait(false);
        if (await Task.WhenAny(task.Done.Task, Task.Delay(timeout)).ConfigureAwait(false) == task.Done.Task) return;
        task.Finish(Failed(task, new TimeoutException($"The task ran longer than its timeout ({timeout}).")));
        task.Cancel();
    }

    /// <summary>Starts the task's node-side activity, parented on the submitter's W3C context; null (one branch) when nobody listens here.</summary>
    private Activity? StartActivity(NodeTask task)
    {
        if (!FuturesTracing.Source.HasListeners()) return null;
        ActivityContext.TryParse(task.Call.TraceParent, task.Call.TraceState, isRemote: true, out ActivityContext parent);
        Activity? activity = FuturesTracing.Source.StartActivity(FuturesTracing.TaskActivityName, ActivityKind.Consumer, parent);
        if (activity is null) return null;
        activity.SetTag("futures.executor.kind", ExecutorKind.Orleans);
        activity.SetTag("futures.executor.name", task.ExecutorName);
        activity.SetTag("futures.node.name", _silo.Name);
        activity.SetTag("futures.node.pid", Environment.ProcessId);
        if (activity.IsAllDataRequested) activity.SetTag("code.function.name", CallItem.Decode(task.Call.Call).Method.DisplayName);
        return activity;
    }

    /// <summary>Ends the task's activity with its outcome: an error status when the call threw (or needs an upload, which runs it again under a new activity).</summary>
    private static void StopActivity(Activity activity, CallUpdate outcome)
    {
        if (outcome.Event == CallEvent.NeedsAssembly) activity.SetStatus(ActivityStatusCode.Error, "The node lacks the task's assembly; the client uploads it.");
        else if (outcome.Result is { } result && ResultItem.Decode(result).Exception is { } error)
        {
            activity.SetTag("exception.type", error.TypeName);
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
        }
        activity.Stop();
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (string key in _sessions.Keys) CloseSession(key);
        _threads?.Shutdown(wait: false, cancelFutures: true);
        ProcessPoolExecutor[] pools;
        lock (_pools)
        {
            _disposed = true;
            pools = [.. _pools.Values];
        }
        // Outside the lock: cancelling runs the futures' done-callbacks.
        foreach (ProcessPoolExecutor pool in pools) pool.Shutdown(wait: false, cancelFutures: true);
    }
}
