using System.Text;

namespace Futures.ProcessPool;

/// <summary>
/// A worker's standard error: copied to ours as it comes (as if inherited), with its first lines kept
/// for the message of a worker that fails to start (a host error, a startup hook that cannot load).
/// </summary>
internal sealed class WorkerStderr
{
    /// <summary>Bytes of the start of the output kept; enough for a host's error and the head of a stack trace.</summary>
    private const int KeptBytes = 4096;

    /// <summary>Lines of it that a message quotes.</summary>
    private const int QuotedLines = 12;

    /// <summary>Our own standard error, unbuffered: each chunk read is written at once, in one write.</summary>
    private static readonly Stream s_parentStderr = Console.OpenStandardError();

    private readonly Stream _source;
    private readonly Thread _thread;

    /// <summary>The first <see cref="KeptBytes"/> bytes the worker wrote. Guarded by itself (read while the pump may still run, when <see cref="Join"/> timed out).</summary>
    private readonly MemoryStream _start = new();

    private WorkerStderr(Stream source, int index)
    {
        _source = source;
        _thread = new Thread(Pump) { IsBackground = true, Name = $"Futures worker {index} stderr" };
    }

    /// <summary>Starts copying <paramref name="source"/> (the worker's redirected stderr) to ours.</summary>
    public static WorkerStderr Start(Stream source, int index)
    {
        var stderr = new WorkerStderr(source, index);
        stderr._thread.Start();
        return stderr;
    }

    /// <summary>Waits until the worker's stderr has ended (or <paramref name="timeout"/>: a process it started may hold it open).</summary>
    public bool Join(TimeSpan timeout) => _thread.Join(timeout);

    /// <summary>The first lines the worker wrote, e.g. <c>"The application to execute does not exist: ..."</c>; empty if none. After <see cref="Join"/>.</summary>
    public string FirstLines()
    {
        string text;
        lock (_start) text = Encoding.UTF8.GetString(_start.GetBuffer(), 0, (int)_start.Length);
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join('\n', lines.Take(QuotedLines));
    }

    private void Pump()
    {
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = _source.Read(buffer)) > 0)
            {
                lock (_start)
                {
                    if (_start.Length < KeptBytes) _start.Write(buffer, 0, (int)Math.Min(n, KeptBytes - _start.Length));
                }
                try
                {
                    s_parentStderr.Write(buffer, 0, n);
                }
                catch (IOException)
                {
                    // Our stderr is closed: keep draining, so that the worker never blocks writing to it.
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The worker's handle was released (the pool is done with it).
        }
    }
}
