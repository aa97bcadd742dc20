namespace Futures.Tests;

/// <summary>Runs a blocking call on a thread of its own, so a test can bound how long it may block.</summary>
internal sealed class Background
{
    private readonly Thread _thread;
    private Exception? _error;

    private Background(Action action, string name)
    {
        _thread = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { _error = e; }
        }) { IsBackground = true, Name = name };
    }

    /// <summary>Starts <paramref name="action"/> on a new background thread.</summary>
    public static Background Start(Action action, string name = "test-background")
    {
        var b = new Background(action, name);
        b._thread.Start();
        return b;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the call to return; true if it did.</summary>
    public bool Join(TimeSpan timeout) => _thread.Join(timeout);

    /// <summary>Whether the call has returned (or thrown).</summary>
    public bool Finished => !_thread.IsAlive;

    /// <summary>What the call threw, once it has returned.</summary>
    public Exception? Error => _error;
}
