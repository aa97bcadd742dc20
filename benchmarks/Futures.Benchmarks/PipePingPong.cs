using System.Diagnostics;
using System.IO.Pipes;

namespace Futures.Benchmarks;

/// <summary>
/// The floor for a process-pool round trip: a synchronous 4-byte ping-pong between this process and
/// a child .NET process (this program in <c>--pipe-echo</c> mode) over an anonymous-pipe pair.
/// </summary>
internal sealed class PipePingPong : IDisposable
{
    private readonly AnonymousPipeServerStream _toChild = new(PipeDirection.Out, HandleInheritability.Inheritable);
    private readonly AnonymousPipeServerStream _fromChild = new(PipeDirection.In, HandleInheritability.Inheritable);
    private readonly Process _child;
    private readonly byte[] _buffer = new byte[4];

    public PipePingPong()
    {
        string self = typeof(PipePingPong).Assembly.Location;
        var start = new ProcessStartInfo(Environment.ProcessPath!.EndsWith("dotnet") ? Environment.ProcessPath : "dotnet")
        {
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(self);
        start.ArgumentList.Add("--pipe-echo");
        start.ArgumentList.Add(_toChild.GetClientHandleAsString());
        start.ArgumentList.Add(_fromChild.GetClientHandleAsString());
        _child = Process.Start(start)!;
        _toChild.DisposeLocalCopyOfClientHandle();
        _fromChild.DisposeLocalCopyOfClientHandle();
        RoundTrip();
    }

    public void RoundTrip()
    {
        _toChild.Write(_buffer);
        _toChild.Flush();
        _fromChild.ReadExactly(_buffer);
    }

    public void Dispose()
    {
        _toChild.Dispose(); // end of file: the child exits
        _child.WaitForExit();
        _fromChild.Dispose();
        _child.Dispose();
    }

    /// <summary>The child side: echo 4-byte messages until end of file.</summary>
    public static void Echo(string inHandle, string outHandle)
    {
        using var input = new AnonymousPipeClientStream(PipeDirection.In, inHandle);
        using var output = new AnonymousPipeClientStream(PipeDirection.Out, outHandle);
        var buffer = new byte[4];
        while (input.ReadAtLeast(buffer, 4, throwOnEndOfStream: false) == 4)
        {
            output.Write(buffer);
            output.Flush();
        }
    }
}
