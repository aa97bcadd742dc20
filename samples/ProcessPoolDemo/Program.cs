// The classic concurrent.futures process example, in C#:
//
//   def calc_pi(n):
//       s = sum(1.0 / (i * i) for i in range(1, n + 1))   # the Basel series: pi^2 / 6
//       pi = math.sqrt(6 * s)
//       print(f"process {os.getpid()} n={n} pi={pi}")
//       return pi
//
//   with ProcessPoolExecutor(max_workers=workers) as executor:
//       for n, pi in zip(ns, executor.map(calc_pi, ns)): ...
//
// Usage: dotnet run --project samples/ProcessPoolDemo -- [workers=2] [n ...]
//   e.g. dotnet run --project samples/ProcessPoolDemo -- 2 5000000 5001000 5002000 5003000
// Each n runs in a worker process (the pids differ from this one); with 2 workers on 2 cores the
// work takes about half as long as with 1. The workers are started before the clock starts, so
// that "total cost" measures the work, not the ~0.1 s it takes to start a .NET process.
using System.Diagnostics;
using Futures;

int workers = args.Length > 0 ? int.Parse(args[0]) : 2;
int[] ns = args.Length > 1 ? args[1..].Select(int.Parse).ToArray() : [5_000_000, 5_001_000, 5_002_000, 5_003_000];
// C# runs the series much faster than CPython; repeat it so that each task is real work.
const int Rounds = 20;

Console.WriteLine($"main process {Environment.ProcessId}, {workers} worker(s)");
using var executor = new ProcessPoolExecutor(maxWorkers: workers);
// Start the workers first: Wait on one call per worker, each long enough to keep its worker busy.
Future.Wait(Enumerable.Range(0, workers).Select(_ => executor.Submit(Warm, 200)).ToList());

var clock = Stopwatch.StartNew();
double[] pis = executor.Map(CalcPi, ns).ToArray();
Console.WriteLine($"total cost: {clock.Elapsed.TotalSeconds:F2}s");
Console.WriteLine($"mean pi={pis.Average():R}");

static double CalcPi(int n)
{
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

static int Warm(int milliseconds)
{
    Thread.Sleep(milliseconds); // holds this worker so that the next call starts another
    return Environment.ProcessId;
}
