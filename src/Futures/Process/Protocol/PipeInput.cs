using System.Diagnostics;
using System.IO.Pipes;

namespace Futures.ProcessPool.Protocol;

/// <summary>
/// The read side of a worker pipe, buffered: the frames that arrived together are taken with one
/// <c>read</c>, and a frame's header and small payload cost no system call of their own. Optionally
/// (the worker's call pipe, on Linux) it spins on the pipe for a moment before blocking in <c>read</c>.
/// </summary>
/// <remarks>
/// Why a worker spins: on these VMs a thread that blocks in <c>read</c> and is woken by the writer
/// costs both sides more than a tiny call (perf: 50–60% of a tiny call's CPU in the scheduler, much
/// of it in the writer's <c>anon_pipe_write</c> waking the reader). A worker that has just answered
/// usually gets its next call within tens of microseconds (the extra call, or the one its result's
/// reader hands out at once), so it watches the pipe (<c>FIONREAD</c>, pausing and yielding between
/// looks) that long first. Measured at load 10–14 on 2 cores (<c>--process-quick tiny</c> and
/// <c>tripx</c>): parent CPU per tiny task 20–24 → 11–13 µs, workers' 18 → 14–15 µs, round trip p50
/// 42–54 → 23–29 µs. The same spin in the parent's reader threads, awaiting results, cost throughput
/// there (65k → 35–41k tasks/s): with two readers, the submitting thread and two workers on two
/// cores, a spinning reader takes the core a worker needs; so the parent does not spin.
/// A payload at least as large as the buffer is read straight into its destination, so a 10 MB
/// blob is not copied twice.
/// </remarks>
internal sealed class PipeInput : Stream
{
    /// <summary>Bytes taken per <c>read</c>: a batch of small frames, or the start of a large one.</summary>
    private const int BufferSize = 64 * 1024;

    private readonly Stream _pipe;

    /// <summary>The pipe's file descriptor, to look for waiting bytes; -1 where it is not looked at (no spin, not Linux, not a pipe).</summary>
    private readonly int _fd;

    /// <summary>How long to spin at most before a blocking read, in Stopwatch ticks; 0: never.</summary>
    private readonly long _spin;

    private readonly byte[] _buffer = new byte[BufferSize];

    /// <summary>The unread bytes are <c>_buffer[_start.._end]</c>.</summary>
    private int _start, _end;

    /// <summary>Reads <paramref name="pipe"/>, spinning up to <paramref name="spin"/> before each blocking read (zero: never).</summary>
    public PipeInput(Stream pipe, TimeSpan spin = default)
    {
        _pipe = pipe;
        _spin = (long)(spin.TotalSeconds * Stopwatch.Frequency);
        _fd = _spin > 0 && OperatingSystem.IsLinux() && pipe is PipeStream p ? (int)p.SafePipeHandle.DangerousGetHandle() : -1;
    }

    /// <summary>Whether bytes are buffered here already (a frame that came with the last one).</summary>
    public bool HasBuffered => _start < _end;

    /// <inheritdoc/>
    public override int Read(Span<byte> destination)
    {
        if (destination.IsEmpty) return 0;
        if (_start == _end)
        {
            SpinUntilReadable();
            if (destination.Length >= _buffer.Length) return _pipe.Read(destination);
            _start = 0;
            _end = _pipe.Read(_buffer);
            if (_end == 0) return 0;
        }
        int n = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    /// <summary>Watches the pipe (up to the spin limit) until it has bytes, so that the read that follows does not sleep.</summary>
    private void SpinUntilReadable()
    {
        if (_fd < 0) return;
        long deadline = Stopwatch.GetTimestamp() + _spin;
        var spinner = new SpinWait();
        while (Native.ioctl(_fd, Native.FIONREAD, out int waiting) == 0 && waiting == 0)
        {
            if (Stopwatch.GetTimestamp() > deadline) return;
            spinner.SpinOnce(sleep1Threshold: -1); // pause, then yield the CPU between looks; never Sleep(1)
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _pipe.Dispose();
        base.Dispose(disposing);
    }

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override void Flush() { }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
