// The classic as_completed example, in C#:
//
//   def task(n):
//       time.sleep(n)
//       return n
//
//   with ThreadPoolExecutor(max_workers=5) as executor:
//       futures = [executor.submit(task, random.randint(1, 5)) for _ in range(5)]
//       print(1)
//       for future in as_completed(futures):
//           print(future.result())
//       print(2)
//
// Usage: dotnet run --project samples/AsCompletedDemo
// Prints 1, then each task's sleep (its result) as it completes, shortest first, then 2.
using Futures;

using var executor = new ThreadPoolExecutor(maxWorkers: 5);
var futures = Enumerable.Range(0, 5).Select(_ => executor.Submit(Sleep, Random.Shared.Next(1, 6))).ToList();
Console.WriteLine(1);
foreach (Future<int> future in Future.AsCompleted(futures))
{
    Console.WriteLine(future.Result());
}
Console.WriteLine(2);

static int Sleep(int seconds)
{
    Thread.Sleep(TimeSpan.FromSeconds(seconds)); // the work
    return seconds;
}
