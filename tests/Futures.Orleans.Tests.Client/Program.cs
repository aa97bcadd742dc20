// The client of the network tests, run in a network namespace of its own. It joins the cluster
// through Redis with mutual TLS, as a production client would, and reports every future's outcome.
//   args:   --redis EP --cluster-id ID --tls-certificate PFX --tls-client-ca PEM --retries N --folder DIR
//   stdin:  "submit COUNT MS" (tasks 0..COUNT-1 of NetTasks.Marked), "report", "quit"
//   stdout: "ready", "running ID" (once the executor has seen the task run), "done ID ok PID" or
//           "done ID err TYPE MESSAGE" (from the future's done-callback), "final ID ..." on report,
//           "report-end", "callback-failed ..." (must never appear)
using System.Collections.Concurrent;
using Futures;
using Futures.Orleans;
using Futures.Orleans.Tests.Client;
using Futures.Orleans.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

string Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? throw new ArgumentException($"{name} is missing");

var output = new BlockingCollection<string>();
var writer = new Thread(() =>
{
    foreach (string line in output.GetConsumingEnumerable()) Console.Out.WriteLine(line);
})
{ Name = "stdout" };
writer.Start();
Future.CallbackFailed += (_, e) => output.Add($"callback-failed {e.Exception.GetType().Name} {OneLine(e.Exception.Message)}");

NodeTls tls = NodeTls.Load(Arg("--tls-certificate"), Arg("--tls-client-ca"));
HostApplicationBuilder builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Error);
builder.UseOrleansClient(client =>
{
    client.UseRedisClustering(Arg("--redis"));
    client.Configure<ClusterOptions>(o => { o.ClusterId = Arg("--cluster-id"); o.ServiceId = "futures"; });
    client.UseTls(tls.Certificate, tls.Configure);
    // Read the gateways from the membership table every few seconds (default: a minute), so that a
    // gateway the cluster declared dead is dropped soon: a cut-off one never resets its connections.
    client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
});
using IHost host = builder.Build();
await host.StartAsync();
string folder = Arg("--folder");
using var executor = new OrleansExecutor(host.Services.GetRequiredService<IClusterClient>(),
    new OrleansExecutorOptions { RetriesOnNodeLoss = int.Parse(Arg("--retries")) });
executor.Submit(NetTasks.Pid).Result(TimeSpan.FromSeconds(60)); // the upload, out of the way
output.Add("ready");

var futures = new List<Future<int>>();
var seenRunning = new HashSet<int>();
using var stop = new CancellationTokenSource();
var watcher = new Thread(() =>
{
    // Reports each task once the executor has heard that it runs (what a lost node then counts against).
    while (!stop.IsCancellationRequested)
    {
        lock (futures)
        {
            for (int id = 0; id < futures.Count; id++)
            {
                if (!seenRunning.Contains(id) && executor.ObservedRunning(futures[id]) && seenRunning.Add(id)) output.Add($"running {id}");
            }
        }
        Thread.Sleep(10); // a poll of the executor's view, not a synchronisation
    }
})
{ IsBackground = true, Name = "running watch" };
watcher.Start();

while (Console.In.ReadLine() is { } command)
{
    string[] words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (words.Length == 0) continue;
    if (words[0] == "quit") break;
    if (words[0] == "submit")
    {
        int count = int.Parse(words[1]), ms = int.Parse(words[2]);
        lock (futures)
        {
            for (int i = 0; i < count; i++)
            {
                int id = futures.Count;
                Future<int> future = executor.Submit(NetTasks.Marked, folder, id, ms);
                futures.Add(future);
                future.AddDoneCallback(f => output.Add($"done {id} {Describe(f)}"));
            }
        }
    }
    else if (words[0] == "report")
    {
        lock (futures)
        {
            for (int id = 0; id < futures.Count; id++) output.Add($"final {id} {(futures[id].Done() ? Describe(futures[id]) : "pending")}");
        }
        output.Add("report-end");
    }
}
stop.Cancel();
executor.Shutdown(wait: false, cancelFutures: true);
output.CompleteAdding();
writer.Join();
return 0;

static string Describe(Future<int> f) =>
    f.Exception() is { } e ? $"err {e.GetType().Name} {OneLine(e.Message)}" : $"ok {f.Result()}";

static string OneLine(string text) => text.ReplaceLineEndings(" ");

namespace Futures.Orleans.Tests.Client
{
    /// <summary>The tasks the network tests run; the nodes never had this assembly, so the executor uploads it.</summary>
    public static class NetTasks
    {
        public static int Pid() => Environment.ProcessId;

        /// <summary>Marks its start in <paramref name="folder"/> as <c>{id}.{pid}</c>, works for <paramref name="workMs"/>, then marks its end as <c>{id}.{pid}.end</c>.</summary>
        public static int Marked(string folder, int id, int workMs)
        {
            File.WriteAllText(Path.Combine(folder, $"{id}.{Environment.ProcessId}"), "");
            Thread.Sleep(workMs); // simulated work
            File.WriteAllText(Path.Combine(folder, $"{id}.{Environment.ProcessId}.end"), "");
            return Environment.ProcessId;
        }
    }
}
