using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Futures.Codec;

/// <summary>
/// Encodes and decodes graphs nested too deeply for the calling thread's stack (a linked list of a
/// thousand nodes) on a thread with a large stack, instead of letting the process die of a stack
/// overflow, which nothing can catch.
/// </summary>
/// <remarks>
/// The codec's recursive converters call <see cref="Check"/> on the way down; when the stack runs
/// low it throws <see cref="InsufficientExecutionStackException"/>, the session unwinds, and
/// <see cref="Run{T}"/> starts the whole encode or decode again on a thread of
/// <see cref="LargeStackSize"/> bytes. There a graph fails only when it is nested deeper than that
/// stack holds (hundreds of thousands of levels), with a clear error.
/// </remarks>
internal static class DeepGraphs
{
    /// <summary>The stack of the retry thread: about 5 KB per level of nesting, so some ten thousand levels.</summary>
    public const int LargeStackSize = 64 * 1024 * 1024;

    [ThreadStatic] private static bool t_onLargeStack;

    /// <summary>Throws <see cref="InsufficientExecutionStackException"/> when this thread's stack is nearly used up.</summary>
    public static void Check() => RuntimeHelpers.EnsureSufficientExecutionStack();

    /// <summary>Runs <paramref name="work"/> here, and again on a large stack if it runs out of stack.</summary>
    /// <exception cref="ArgumentException">Even the large stack is not enough (for encoding: the value cannot cross).</exception>
    public static T Run<T>(Func<T> work, string what)
    {
        try
        {
            return work();
        }
        catch (InsufficientExecutionStackException) when (!t_onLargeStack)
        {
            return OnLargeStack(work, what);
        }
    }

    private static T OnLargeStack<T>(Func<T> work, string what)
    {
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            t_onLargeStack = true;
            try
            {
                result = work();
            }
            catch (InsufficientExecutionStackException e)
            {
                error = ExceptionDispatchInfo.Capture(new ArgumentException($"{what} is nested too deeply to cross to another process.", e));
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        }, LargeStackSize)
        { IsBackground = true, Name = "Futures codec (deep graph)" };
        thread.Start();
        thread.Join();
        error?.Throw();
        return result;
    }
}
