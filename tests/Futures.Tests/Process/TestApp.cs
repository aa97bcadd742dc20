using System.Diagnostics;

namespace Futures.Tests;

/// <summary>Runs Futures.TestApp as a child process (<c>dotnet exec</c>), killed if it outlives the guard.</summary>
internal static class TestApp
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs the test app with <paramref name="args"/>; fails (after killing it) if it has not exited, and its output closed, within the guard.</summary>
    /// <remarks>
    /// Its worker processes inherit its stdout and stderr, so the output ends only when they are gone
    /// too: a worker that outlived the app would hold it open, and this fails instead of hanging.
    /// </remarks>
    public static Result Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(Path());
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0"; // the crash scenarios need no dump

        using var process = Process.Start(psi)!;
        try
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit(TestBase.UnexpectedTimeout).Should().BeTrue($"the test app ({string.Join(' ', args)}) must exit on its own");
            Task.WaitAll([stdout, stderr], TestBase.UnexpectedTimeout).Should().BeTrue("its output must close: no worker may hold it open");
            process.WaitForExit();
            return new Result(process.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }
    }

    /// <summary>
    /// Futures.TestApp.dll, built beside the tests by the project reference: the same layout with
    /// the project's folder name swapped (bin/Debug/net10.0 or artifacts/bin/.../debug alike).
    /// </summary>
    public static string Path()
    {
        string baseDir = AppContext.BaseDirectory;
        const string tests = "Futures.Tests", app = "Futures.TestApp";
        char sep = System.IO.Path.DirectorySeparatorChar;
        int at = baseDir.LastIndexOf(sep + tests + sep, StringComparison.Ordinal);
        at.Should().BeGreaterThanOrEqualTo(0, $"the test output folder '{baseDir}' should name {tests}");
        string path = System.IO.Path.Combine(baseDir[..at] + sep + app + baseDir[(at + tests.Length + 1)..], app + ".dll");
        File.Exists(path).Should().BeTrue($"{path} should have been built by the project reference");
        return path;
    }
}
