#!/usr/bin/env -S dotnet run
// The tutorial's p.py as a .NET 10 file-based app: one file, one command, like `python p.py`.
//
//   def calc_pi(n):
//       s = sum(1.0 / (i * i) for i in range(1, n + 1))   # the Basel series: pi^2 / 6
//       pi = math.sqrt(6 * s)
//       print(f"process {os.getpid()} n={n} pi={pi}")
//       return pi
//
//   with ProcessPoolExecutor(max_workers=workers) as executor:
//       for n, pi in zip(ns, executor.map(calc_pi, ns)): ...
//   print(f"total cost: {time.time() - start:.2f}s")
//
// Usage: dotnet run samples/scripts/p.cs [-- workers=2 n ...]
// Each n runs in a worker process (its pid differs from the main one). The cost includes starting
// the workers (about 0.1 s each); samples/ProcessPoolDemo starts them before its clock.
#:project ../../src/Futures/Futures.csproj
using System.Diagnostics;
using Futures;

int workers = args.Length > 0 ? int.Parse(args[0]) : 2;
int[] ns = args.Length > 1 ? args[1..].Select(int.Parse).ToArray() : [5_000_000, 5_001_000, 5_002_000, 5_003_000];

Console.WriteLine($"main process {Environment.ProcessId}, {workers} worker(s)");
var clock = Stopwatch.StartNew();
using (var executor = new ProcessPoolExecutor(maxWorkers: workers))
{
    foreach (var (n, pi) in ns.Zip(executor.Map(CalcPi, ns)))
        Console.WriteLine($"n={n} pi={pi}");
}
Console.WriteLine($"total cost: {clock.Elapsed.TotalSeconds:F2}s");

static double CalcPi(int n)
{
    // C# runs the series much faster than CPython: repeat it so that each task is real work.
    const int Rounds = 20;
    double s = 0;
    for (int round = 0; round < Rounds; round++)
    {
        s = 0;
        for (int i = 1; i <= n; i++) s += 1.0 / ((double)i * i);
    }
    double pi = Math.Sqrt(6 * s);
    Console.WriteLine($"process {Environment.ProcessId} n={n} pi={pi}");
    return pi;
}
