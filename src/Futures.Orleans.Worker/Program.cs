using Futures.Orleans.Worker;

// A Futures worker node: an Orleans silo with AddFuturesWorker. See WorkerCommandLine for the flags.
return await WorkerNodeHost.RunAsync(args);
