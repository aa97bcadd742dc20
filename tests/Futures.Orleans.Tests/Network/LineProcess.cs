using System.Diagnostics;

namespace Futures.Orleans.Tests.Network;

/// <summary>A child process driven by lines: the test writes commands to its stdin and waits for lines of its stdout, each kept with the time it came.</summary>
public sealed class LineProcess : IAsyncDisposable
{
    private readonly Process _process;

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Every line so far, with when it came. Guarded by itself.</summary>
    private readonly List<(TimeSpan At, string Line)> _lines = [];

    /// <summary>Completed (and replaced) by each new line. Guarded by <see cref="_lines"/>.</summary>
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LineProcess(Process process) => _process = process;

    /// <summary>How often a wait checks its condition again without a new line.</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(100);

    public static LineProcess Start(IReadOnlyList<string> command)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in command.Skip(1)) start.ArgumentList.Add(arg);
        var lines = new LineProcess(Process.Start(start)!);
        lines._process.OutputDataReceived += (_, e) => lines.Add(e.Data);
        lines._process.ErrorDataReceived += (_, e) => lines.Add(e.Data is null ? null : "stderr: " + e.Data);
        lines._process.BeginOutputReadLine();
        lines._process.BeginErrorReadLine();
        return lines;
    }

    /// <summary>The time on this process's clock (from its start), to compare with <see cref="Lines"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    private void Add(string? line)
    {
        if (line is null) return;
        TaskCompletionSource next;
        lock (_lines)
        {
            _lines.Add((_clock.Elapsed, line));
            next = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        next.TrySetResult();
    }

    /// <summary>Every line so far.</summary>
    public (TimeSpan At, string Line)[] Lines
    {
        get
        {
            lock (_lines) return [.. _lines];
        }
    }

    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Waits until the lines so far satisfy <paramref name="done"/>; false when <paramref name="timeout"/> passes first (or the process exits).</summary>
    /// <remarks><paramref name="done"/> may also read other state (files the tasks write): it is checked again at each line, and every <see cref="Recheck"/>.</remarks>
    public async Task<bool> WaitUntilAsync(Func<(TimeSpan At, string Line)[], bool> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Task next;
            lock (_lines)
            {
                if (done([.. _lines])) return true;
                next = _next.Task;
            }
            TimeSpan left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || _process.HasExited) return false;
            await Task.WhenAny(next, Task.Delay(left < Recheck ? left : Recheck));
        }
    }

    /// <summary>The last lines, for a failure message.</summary>
    public string Tail(int count = 40) => string.Join(Environment.NewLine, Lines.TakeLast(count).Select(l => $"{l.At.TotalSeconds,8:F2}s {l.Line}"));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        _process.Dispose();
    }
}
