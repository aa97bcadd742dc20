using System.Diagnostics;

namespace Futures.Benchmarks;

/// <summary>
/// A quick Stopwatch pass over the process-pool targets, for iterating on the pool between
/// BenchmarkDotNet runs: the same workloads as <see cref="ProcessPoolBenchmarks"/>, with the pipe
/// floor measured in the same run and percentiles of single round trips.
/// </summary>
/// <remarks>dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --process-quick</remarks>
internal static class ProcessPoolQuick
{
    public static void Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "start")
        {
            StartBreakdown(args.Length > 1 ? int.Parse(args[1]) : 10);
            return;
        }
        if (args.Length > 0 && args[0] == "describe")
        {
            // Submit's per-call cost of checking and naming the delegate (DelegateDescriptor).
            Func<int, int> fn = Work.Identity;
            for (int i = 0; i < 10_000; i++) Futures.ProcessPool.DelegateDescriptor.Describe(fn, "fn");
            long bytes = GC.GetAllocatedBytesForCurrentThread();
            long t = Stopwatch.GetTimestamp();
            for (int i = 0; i < 1_000_000; i++) Futures.ProcessPool.DelegateDescriptor.Describe(fn, "fn");
            Console.WriteLine($"Describe: {Stopwatch.GetElapsedTime(t).TotalMilliseconds / 1e3 * 1e3:F0} ns/call, {(GC.GetAllocatedBytesForCurrentThread() - bytes) / 1_000_000} B/call");
            return;
        }
        if (args.Length > 0 && args[0] == "trip")
        {
            Trip(args.Length > 1 ? int.Parse(args[1]) : 3);
            return;
        }
        if (args.Length > 0 && args[0] == "stages")
        {
            CallPathStages.Run(args.Length > 1 ? int.Parse(args[1]) : 200_000);
            return;
        }
        if (args.Length > 0 && args[0] == "echo")
        {
            using var echoPool = new ProcessPoolExecutor(maxWorkers: 2);
            Future.Wait([echoPool.Submit(Work.Nap, 50), echoPool.Submit(Work.Nap, 50)]);
            TenMegabyteEcho(echoPool, args.Length > 1 ? int.Parse(args[1]) : 20);
            return;
        }
        if (args.Length > 0 && args[0] == "tiny")
        {
            Tiny(int.Parse(args[1]), args.Length > 2 ? int.Parse(args[2]) : 2);
            return;
        }
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        FirstResult();
        using var pipe = new PipePingPong();
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        Future.Wait([pool.Submit(Work.Nap, 50), pool.Submit(Work.Nap, 50)]);

        double[] floor = Percentiles(20_000, pipe.RoundTrip);
        double[] trip = Percentiles(20_000, () => pool.Submit(Work.Identity, 1).Result());
        Console.WriteLine($"pipe floor   p50 {floor[0]:F1} µs  p90 {floor[1]:F1} µs");
        Console.WriteLine($"round trip   p50 {trip[0]:F1} µs  p90 {trip[1]:F1} µs  ({trip[0] / floor[0]:F2}x floor)");

        const int Batch = 2_000;
        var futures = new Future<int>[Batch];
        Rate("tiny tasks via Submit", 20, Batch, "tasks/s", () =>
        {
            for (int i = 0; i < Batch; i++) futures[i] = pool.Submit(Work.Identity, i);
            for (int i = 0; i < Batch; i++) futures[i].Result();
        });
        const int MapItems = 200_000;
        Rate("Map chunkSize 1000", 5, MapItems, "items/s", () =>
        {
            long sum = 0;
            foreach (int x in pool.Map(Work.Identity, Enumerable.Range(0, MapItems), chunkSize: 1000)) sum += x;
        });
        TenMegabyteEcho(pool, 10);
    }

    /// <summary>A 10 MB byte[] to a worker and back, counted as 10 MB per round trip (issue 12's "one way").</summary>
    private static void TenMegabyteEcho(ProcessPoolExecutor pool, int rounds)
    {
        byte[] ten = new byte[10 * 1024 * 1024];
        Random.Shared.NextBytes(ten);
        Rate("10 MB byte[] echo", rounds, 10, "MB/s one way", () =>
        {
            byte[] back = pool.Submit(Work.Echo, ten).Result();
            if (back.Length != ten.Length || back[12345] != ten[12345]) throw new InvalidOperationException("echo changed the bytes");
        });
    }

    /// <summary>
    /// Where a round trip's time goes: the pipe floor; a round trip whose caller busy-polls
    /// <see cref="Future.Done"/> (no wake-up of the caller: the pool's own part); and one through
    /// <see cref="Future{T}.Result"/> (the caller blocks and is woken). One worker, p50 / p90.
    /// </summary>
    private static void Trip(int rounds)
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        pool.Submit(Work.Identity, 1).Result();
        using var pipe = new PipePingPong();
        for (int k = 0; k < rounds; k++)
        {
            double[] floor = Percentiles(20_000, pipe.RoundTrip);
            double[] polled = Percentiles(20_000, () =>
            {
                Future<int> f = pool.Submit(Work.Identity, 1);
                while (!f.Done()) { } // measuring the pool without the caller's wake-up
            });
            double[] blocked = Percentiles(20_000, () => pool.Submit(Work.Identity, 1).Result());
            Console.WriteLine($"pipe floor p50 {floor[0]:F1} µs;  round trip, caller polling: p50 {polled[0]:F1} / p90 {polled[1]:F1} µs;  " +
                $"through Result(): p50 {blocked[0]:F1} / p90 {blocked[1]:F1} µs  (load {File.ReadAllText("/proc/loadavg")[..14]})");
        }
    }

    /// <summary>Only tiny tasks, for a profiler: <paramref name="tasks"/> tasks, then the CPU time of this process and its workers.</summary>
    private static void Tiny(int tasks, int workers)
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: workers);
        Future.Wait(Enumerable.Range(0, workers).Select(_ => (Future)pool.Submit(Work.Nap, 50)).ToList());
        const int Batch = 2_000;
        var futures = new Future<int>[Batch];
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long t = Stopwatch.GetTimestamp();
        for (int done = 0; done < tasks; done += Batch)
        {
            for (int i = 0; i < Batch; i++) futures[i] = pool.Submit(Work.Identity, i);
            for (int i = 0; i < Batch; i++) futures[i].Result();
        }
        double wall = Stopwatch.GetElapsedTime(t).TotalSeconds;
        double parent = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        double children = pool.WorkerPids().Sum(pid => Process.GetProcessById(pid).TotalProcessorTime.TotalSeconds);
        Console.WriteLine($"{tasks / wall:N0} tasks/s; CPU per task: parent {parent / tasks * 1e6:F1} µs, workers {children / tasks * 1e6:F1} µs (worker total includes start)");
    }

    /// <summary>
    /// Where pool creation to first result goes: a bare <c>dotnet exec</c> of the worker assembly on this
    /// app's runtimeconfig and deps.json (runtime start, no work), then a pool's start to Ready and first result.
    /// </summary>
    private static void StartBreakdown(int rounds)
    {
        var launcher = Futures.ProcessPool.WorkerLauncher.Default;
        var bare = new List<double>();
        var ready = new List<double>();
        var first = new List<double>();
        for (int i = 0; i < rounds; i++)
        {
            var info = new ProcessStartInfo(launcher.Host) { UseShellExecute = false, RedirectStandardError = true };
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add("--runtimeconfig");
            info.ArgumentList.Add(launcher.RuntimeConfig!);
            if (launcher.DepsFile is not null) { info.ArgumentList.Add("--depsfile"); info.ArgumentList.Add(launcher.DepsFile); }
            info.ArgumentList.Add(launcher.WorkerAssembly!); // dotnet exec mode: this benchmark runs under dotnet
            long t = Stopwatch.GetTimestamp();
            using (var p = Process.Start(info)!)
            {
                p.StandardError.ReadToEnd();
                p.WaitForExit();
            }
            bare.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);

            t = Stopwatch.GetTimestamp();
            using var pool = new ProcessPoolExecutor(maxWorkers: 2);
            pool.Submit(Work.Identity, 1).Result();
            first.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            lock (pool.StartTimes) ready.Add(pool.StartTimes[0].TotalMilliseconds);
        }
        static string Stats(List<double> v)
        {
            v.Sort();
            return $"min {v[0],6:F1} ms  median {v[v.Count / 2],6:F1} ms";
        }
        Console.WriteLine($"bare dotnet exec (usage, exit 2):  {Stats(bare)}");
        Console.WriteLine($"worker start → Ready:              {Stats(ready)}");
        Console.WriteLine($"new pool → first result:           {Stats(first)}");
    }

    private static void FirstResult()
    {
        var firsts = new List<double>();
        var totals = new List<double>();
        for (int i = 0; i < 6; i++)
        {
            long start = Stopwatch.GetTimestamp();
            var pool = new ProcessPoolExecutor(maxWorkers: 2);
            pool.Submit(Work.Identity, 1).Result();
            firsts.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            pool.Shutdown();
            totals.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        firsts.RemoveAt(0); // the first also JITs this process's side
        totals.RemoveAt(0);
        firsts.Sort();
        totals.Sort();
        Console.WriteLine($"new pool → first result: median {firsts[firsts.Count / 2]:F1} ms (min {firsts[0]:F1}); with shutdown {totals[totals.Count / 2]:F1} ms");
    }

    private static double[] Percentiles(int n, Action action)
    {
        for (int i = 0; i < n / 10; i++) action();
        var times = new double[n];
        for (int i = 0; i < n; i++)
        {
            long t = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        Array.Sort(times);
        return [times[n / 2], times[n * 9 / 10]];
    }

    private static void Rate(string name, int rounds, int perRound, string unit, Action round)
    {
        round();
        var rates = new double[rounds];
        for (int i = 0; i < rounds; i++)
        {
            long t = Stopwatch.GetTimestamp();
            round();
            rates[i] = perRound / Stopwatch.GetElapsedTime(t).TotalSeconds;
        }
        Array.Sort(rates);
        Console.WriteLine($"{name,-24} median {rates[rounds / 2],12:N0} {unit}  (best {rates[^1]:N0})");
    }
}
