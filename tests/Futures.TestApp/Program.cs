using Futures;

// Each scenario ends by returning from Main without disposing the executor; the test checks the
// output and that the process exits. Work that must still run waits for ProcessExit to begin (the
// handler registered here runs before the pool's own exit hook), so it is still pending when Main
// returns, whatever the timing.
var exiting = new ManualResetEventSlim(); // not disposed: ProcessExit sets it after Main returns
AppDomain.CurrentDomain.ProcessExit += (_, _) => exiting.Set();

void PrintAfterExitBegins(string message)
{
    if (!exiting.Wait(TimeSpan.FromSeconds(30))) message = "timed out waiting for ProcessExit";
    Console.WriteLine(message);
    Console.Out.Flush();
}

switch (args.FirstOrDefault())
{
    case "pending-work":
        // test_interpreter_shutdown: submitted work runs though Main returns without Shutdown.
        {
            var pool = new ThreadPoolExecutor(5);
            _ = pool.Submit(PrintAfterExitBegins, "apple");
        }
        break;

    case "shutdown-nowait":
        // test_hang_gh83386: Shutdown(wait: false), then Main returns: the work still runs.
        {
            var pool = new ThreadPoolExecutor(3);
            _ = pool.Submit(PrintAfterExitBegins, "apple");
            pool.Shutdown(wait: false);
        }
        break;

    case "cancel-nowait":
        // test_cancel_futures_wait_false: the running call finishes; the process exits cleanly.
        {
            var pool = new ThreadPoolExecutor(1); // one worker, busy: the second call stays queued
            using var started = new ManualResetEventSlim();
            _ = pool.Submit(() => { started.Set(); PrintAfterExitBegins("apple"); });
            started.Wait();
            _ = pool.Submit(() => Console.WriteLine("cancelled work ran"));
            pool.Shutdown(wait: false, cancelFutures: true);
        }
        break;

    case "idle-workers":
        // Workers are background threads: a pool with idle workers does not keep the process alive.
        {
            var pool = new ThreadPoolExecutor(4);
            using var gate = new CountdownEvent(4);
            var fs = Enumerable.Range(0, 4).Select(i => pool.Submit(() => { gate.Signal(); gate.Wait(); return i; })).ToList();
            Console.WriteLine(fs.Sum(f => f.Result()));
        }
        break;

    case "submit-after-exit":
        // test_submit_after_interpreter_shutdown: once the exit hook has shut the pool down, Submit throws.
        {
            var pool = new ThreadPoolExecutor(5);
            pool.Submit(static () => 42).Result(); // starts a worker: the pool's exit hook is now installed
            AppDomain.CurrentDomain.ProcessExit += (_, _) => // runs after the hook
            {
                try
                {
                    pool.Submit(static () => 0);
                    Console.WriteLine("submitted");
                }
                catch (InvalidOperationException e)
                {
                    Console.WriteLine($"runtime-error: {e.Message}");
                }
            };
        }
        break;

    case "process-pending-work":
        // The process pool's exit hook (CPython's _python_exit): a call still running when Main returns finishes.
        Futures.TestApp.ProcessScenarios.PendingWork(shutdownNoWait: false);
        break;

    case "process-shutdown-nowait":
        Futures.TestApp.ProcessScenarios.PendingWork(shutdownNoWait: true);
        break;

    case "process-fault":
        // args: exit|crash, serialize-argument|deserialize-result|done-callback; no worker may outlive this process.
        Futures.TestApp.ProcessScenarios.Fault(args[1], args[2]);
        break;

    case "process-stderr":
        // What a worker writes to stderr reaches this process's stderr (the pool forwards it).
        Futures.TestApp.ProcessScenarios.Stderr();
        break;

    case "callback-throws":
        // args: subscribed|unsubscribed. Contract v2: with nobody subscribed, the failure goes to stderr.
        Futures.TestApp.CoreScenarios.CallbackThrows(args[1] == "subscribed");
        break;

    case "work-item-escape":
        // A call completes its own future: the process neither crashes nor loses the worker.
        Futures.TestApp.CoreScenarios.WorkItemCompletesItsOwnFuture();
        break;

    case "exit-in-call":
        // args: call|callback, exit code. Environment.Exit on a thread-pool worker ends the process with that code.
        Futures.TestApp.CoreScenarios.ExitInCall(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
        break;

    default:
        Console.Error.WriteLine($"unknown scenario '{args.FirstOrDefault()}'");
        return 2;
}
return 0;
