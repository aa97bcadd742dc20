namespace Futures.TestApp;

/// <summary>
/// Scenarios of the core (Future and the thread pool) that only a process of their own can show:
/// what reaches standard error when nobody listens, what crashes or ends the process, and with
/// which exit code.
/// </summary>
public static class CoreScenarios
{
    /// <summary>
    /// A done-callback throws; with <c>subscribed</c> a <see cref="Future.CallbackFailed"/> handler
    /// prints <c>event: {message}</c>, without one the failure goes to standard error. Prints
    /// <c>after</c> once SetResult has returned.
    /// </summary>
    public static void CallbackThrows(bool subscribed)
    {
        if (subscribed) Future.CallbackFailed += static (_, e) => Console.WriteLine($"event: {e.Exception.Message}");
        var f = new Future<int>();
        f.AddDoneCallback(static _ => throw new InvalidOperationException("boom in callback"));
        f.SetResult(1);
        Console.WriteLine("after");
    }

    /// <summary>
    /// A thread-pool call completes its own future, so the worker's completion of it fails; the
    /// worker must go on: prints the future's result (the call's own SetResult, 1), then the next
    /// call's result (3).
    /// </summary>
    public static void WorkItemCompletesItsOwnFuture()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        var submitted = new TaskCompletionSource<Future<int>>();
        Future<int> f = pool.Submit(() =>
        {
            submitted.Task.Result.SetResult(1);
            return 2;
        });
        submitted.SetResult(f);
        Console.WriteLine(f.Result(TimeSpan.FromSeconds(30)));
        Console.WriteLine(pool.Submit(static () => 3).Result(TimeSpan.FromSeconds(30)));
    }

    /// <summary>
    /// Calls Environment.Exit(<paramref name="code"/>) on a thread-pool worker, from the call itself
    /// (<c>call</c>) or from a done-callback running on the worker (<c>callback</c>), while another call
    /// of the same pool waits until the process has begun to exit and then prints <c>other done</c>:
    /// the exit hook must wait for that one, and never for the worker that is exiting.
    /// </summary>
    public static void ExitInCall(string where, int code)
    {
        var exiting = new ManualResetEventSlim(); // not disposed: set by ProcessExit
        AppDomain.CurrentDomain.ProcessExit += (_, _) => exiting.Set(); // before the pool's own hook
        var pool = new ThreadPoolExecutor(maxWorkers: 2);
        using var otherStarted = new ManualResetEventSlim();
        pool.Submit(() =>
        {
            otherStarted.Set();
            if (!exiting.Wait(TimeSpan.FromSeconds(30))) Console.WriteLine("timed out waiting for ProcessExit");
            Console.WriteLine("other done");
            Console.Out.Flush();
        });
        otherStarted.Wait();
        if (where == "call")
        {
            pool.Submit(() => Environment.Exit(code));
        }
        else
        {
            var release = new ManualResetEventSlim(); // not disposed: the call may still be waking from it
            Future f = pool.Submit(() => release.Wait());
            f.AddDoneCallback(_ => Environment.Exit(code)); // added while the call runs: runs on the worker
            release.Set();
        }
        new ManualResetEventSlim().Wait(TimeSpan.FromSeconds(60)); // the exit ends this
        Console.WriteLine("not reached");
    }
}
