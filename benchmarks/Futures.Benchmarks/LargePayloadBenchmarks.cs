using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;

namespace Futures.Benchmarks;

/// <summary>
/// A 100 MB value to a worker and back: a string against a <c>byte[]</c> of the same size in memory
/// (50 million UTF-16 chars = 100 MB, as the byte array). Issue 11's target: the string at most twice
/// the <c>byte[]</c>'s time, in the same run.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --filter '*LargePayload*'</c>.
/// Peak memory needs a fresh process per case: <c>-- --large</c> (see <see cref="LargePayloadQuick"/>).
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class LargePayloadBenchmarks
{
    /// <summary>The payload's size in memory: 100 MB.</summary>
    public const int Bytes = 100 * 1024 * 1024;

    private ProcessPoolExecutor _pool = null!;
    private byte[] _bytes = null!;
    private string _text = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new ProcessPoolExecutor(maxWorkers: 1);
        _pool.Submit(Echo, 1).Result(); // the worker is up before the clock starts
        _bytes = new byte[Bytes];
        new Random(1).NextBytes(_bytes);
        _text = LargePayload.Text(Bytes / 2);
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark(Baseline = true)]
    public int ByteArray100MB() => _pool.Submit(Echo, _bytes).Result().Length;

    [Benchmark]
    public int String100MB() => _pool.Submit(Echo, _text).Result().Length;

    public static T Echo<T>(T value) => value;
}

/// <summary>What the large-payload measurements share.</summary>
public static class LargePayload
{
    /// <summary>A string of <paramref name="chars"/> chars of ordinary (mostly ASCII, some accented) text.</summary>
    public static string Text(int chars) => string.Create(chars, 0, static (span, _) =>
    {
        const string sample = "The quick brown fox jumps over the lazy dog; café, naïve, déjà vu. ";
        for (int i = 0; i < span.Length; i++) span[i] = sample[i % sample.Length];
    });
}

/// <summary>
/// The quick pass: each case in a fresh process (so that its peak memory is its own), round trips
/// timed with Stopwatch, peak working set reported as a multiple of the payload.
/// <c>dotnet run -c Release --project benchmarks/Futures.Benchmarks -- --large [rounds]</c>.
/// </summary>
public static class LargePayloadQuick
{
    public static void Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "--case")
        {
            RunCase(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
            return;
        }
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        string self = Environment.ProcessPath!;
        string? dll = self.EndsWith("dotnet", StringComparison.Ordinal) ? typeof(LargePayloadQuick).Assembly.Location : null;
        var results = new Dictionary<string, (double Seconds, double PeakMb)>();
        foreach (string kind in new[] { "bytes", "string", "bytes", "string" })
        {
            var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
            if (dll is not null) info.ArgumentList.Add(dll);
            foreach (string a in new[] { "--large", "--case", kind, rounds.ToString(CultureInfo.InvariantCulture) }) info.ArgumentList.Add(a);
            using var child = Process.Start(info)!;
            string line = child.StandardOutput.ReadToEnd().Trim();
            child.WaitForExit();
            Console.WriteLine(line);
            string[] parts = line.Split(' ');
            double seconds = double.Parse(parts[1], CultureInfo.InvariantCulture);
            double peak = double.Parse(parts[2], CultureInfo.InvariantCulture);
            results[kind] = results.TryGetValue(kind, out var seen) ? (Math.Min(seen.Seconds, seconds), Math.Max(seen.PeakMb, peak)) : (seconds, peak);
        }
        Console.WriteLine($"string / byte[] round trip (best of each): {results["string"].Seconds / results["bytes"].Seconds:F2}x; " +
            $"peak parent memory above its floor: byte[] {results["bytes"].PeakMb / 100:F1}x, string {results["string"].PeakMb / 100:F1}x the 100 MB payload " +
            $"(load {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
    }

    /// <summary>The working set before the payload exists, in bytes.</summary>
    private static long s_floor;

    /// <summary>One case in this process: <c>kind seconds-per-round-trip peak-MB-above-the-floor</c>.</summary>
    private static void RunCase(string kind, int rounds)
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        pool.Submit(LargePayloadBenchmarks.Echo, 1).Result();
        pool.Submit(LargePayloadBenchmarks.Echo, new byte[4096]).Result(); // the blob paths are warm
        pool.Submit(LargePayloadBenchmarks.Echo, new string('x', 10_000)).Result();
        using (var before = Process.GetCurrentProcess()) s_floor = before.WorkingSet64;
        object payload = kind == "bytes" ? new byte[LargePayloadBenchmarks.Bytes] : LargePayload.Text(LargePayloadBenchmarks.Bytes / 2);
        double best = double.MaxValue;
        for (int i = 0; i < rounds; i++)
        {
            // The last round's result is garbage now: collected, so that the peak is one round trip's.
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            long start = Stopwatch.GetTimestamp();
            int length = payload is byte[] bytes ? pool.Submit(LargePayloadBenchmarks.Echo, bytes).Result().Length : pool.Submit(LargePayloadBenchmarks.Echo, (string)payload).Result().Length;
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
            if (length == 0) throw new InvalidOperationException("empty echo");
        }
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        // The process's own floor (runtime, JIT, the pool) is measured before the payload exists, and left out.
        double peakMb = (self.PeakWorkingSet64 - s_floor) / (1024.0 * 1024.0);
        Console.WriteLine(FormattableString.Invariant($"{kind} {best:F3} {peakMb:F0}"));
    }
}
