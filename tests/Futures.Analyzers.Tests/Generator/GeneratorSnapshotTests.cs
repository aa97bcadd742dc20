using System.Runtime.CompilerServices;
using Futures.Analyzers.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Futures.Analyzers.Tests.Generator;

/// <summary>
/// The generated source for a few call sites, compared with the files in Snapshots/ by Roslyn's
/// generator harness (which also compiles the result: any compiler warning fails). To accept a
/// deliberate change, run once with FUTURES_UPDATE_SNAPSHOTS=1 and review the diff.
/// </summary>
public class GeneratorSnapshotTests
{
    /// <summary>Static methods, a private nested class, a BCL method, lambdas, and the describable shapes.</summary>
    public const string AppSource = """
        enum Color { Red, Green }
        record Point(int X, int Y);
        class Program
        {
            static int Square(int x) => x * x;
            static List<int> Range(int n) => new();
            static Dictionary<string, int?> Count(string[] words, Color c) => new();
            class Hidden { public static double Half(double x) => x / 2; }
            static void Main()
            {
                using var pool = new ProcessPoolExecutor();
                pool.Submit(Square, 3);
                pool.Submit(Range, 3);
                pool.Submit(Count, new[] { "a" }, Color.Red);
                pool.Submit(Hidden.Half, 1.0);
                pool.Submit(Math.Sqrt, 2.0);
                pool.Submit(static (Point p) => p.X, new Point(1, 2));
                foreach (int n in pool.Map(static (byte[] b) => b.Length, new[] { new byte[1] })) { }
                using var threads = new ThreadPoolExecutor();
                threads.Submit(static (Guid g) => g, Guid.Empty); // in-process: not generated for
            }
        }
        """;

    /// <summary>A library: registers its resolver, never turns the process into a worker.</summary>
    public const string LibrarySource = """
        public static class Jobs
        {
            public static Future<long> Start(Executor executor, long n) => executor.Submit(static x => x * 2, n);
        }
        """;

    [Fact]
    public Task App_MatchesSnapshot() => VerifyAsync("App", AppSource, OutputKind.ConsoleApplication);

    [Fact]
    public Task Library_MatchesSnapshot() => VerifyAsync("Library", LibrarySource, OutputKind.DynamicallyLinkedLibrary);

    [Fact]
    public void ThreadPoolOnly_GeneratesNothing()
    {
        var (_, generated) = GeneratorRun.Run("""
            class Program
            {
                static void Main()
                {
                    using var threads = new ThreadPoolExecutor();
                    threads.Submit(static () => 1);
                }
            }
            """);
        generated.Should().BeEmpty();
    }

    private static async Task VerifyAsync(string snapshot, string source, OutputKind kind, [CallerFilePath] string thisFile = "")
    {
        string[] names = ["FuturesProcessPoolHook.g.cs", "FuturesProcessPoolHook.Metadata.g.cs", "FuturesProcessPoolHook.Json.g.cs"];
        string folder = Path.Combine(AppContext.BaseDirectory, "Generator", "Snapshots", snapshot);
        if (Environment.GetEnvironmentVariable("FUTURES_UPDATE_SNAPSHOTS") == "1")
        {
            var (_, generated) = GeneratorRun.Run(source, kind);
            folder = Path.Combine(Path.GetDirectoryName(thisFile)!, "Snapshots", snapshot);
            Directory.CreateDirectory(folder);
            foreach (string name in names) await File.WriteAllTextAsync(Path.Combine(folder, name), generated[name]);
        }

        var test = new CSharpSourceGeneratorTest<ProcessPoolGenerator, DefaultVerifier>
        {
            ReferenceAssemblies = TestReferences.None,
            TestState = { OutputKind = kind },
        };
        test.TestState.Sources.Add(("Program.cs", Verify<CaptureAnalyzer>.Usings + source));
        test.TestState.Sources.Add(("OrleansExecutor.cs", TestReferences.OrleansExecutorSource));
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        foreach (string name in names)
        {
            string expected = await File.ReadAllTextAsync(Path.Combine(folder, name));
            test.TestState.GeneratedSources.Add((typeof(ProcessPoolGenerator), name, expected));
        }
        await test.RunAsync();
    }
}
