#!/usr/bin/env -S dotnet run
// The tutorial's t.py as a .NET 10 file-based app: one file, one command, like `python t.py`.
//
//   def task(i):
//       time.sleep(1)
//       print(f"thread {threading.get_ident()} square {i}")
//       return i * i
//
//   with ThreadPoolExecutor(max_workers=workers) as executor:
//       total = sum(executor.map(task, range(tasks)))
//   print(f"total result={total} cost: {time.time() - start:.2f}s")
//
// Usage: dotnet run samples/scripts/t.cs [-- workers=2 tasks=10]
// With 2 workers, 10 one-second tasks take about 5 s; with 10 workers (`-- 10 10`), about 1 s.
#:project ../../src/Futures/Futures.csproj
using System.Diagnostics;
using Futures;

int workers = args.Length > 0 ? int.Parse(args[0]) : 2;
int tasks = args.Length > 1 ? int.Parse(args[1]) : 10;

var clock = Stopwatch.StartNew();
long total;
using (var executor = new ThreadPoolExecutor(maxWorkers: workers))
{
    total = executor.Map(Square, Enumerable.Range(0, tasks)).Sum(x => (long)x);
}
Console.WriteLine($"total result={total} cost: {clock.Elapsed.TotalSeconds:F2}s");

static int Square(int i)
{
    Thread.Sleep(TimeSpan.FromSeconds(1)); // the work: a blocking call
    Console.WriteLine($"thread {Environment.CurrentManagedThreadId} square {i}");
    return i * i;
}
