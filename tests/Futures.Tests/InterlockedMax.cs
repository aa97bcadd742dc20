namespace Futures.Tests;

/// <summary>Keeps the peak of a counter that several threads update (calls in flight, outstanding calls).</summary>
internal static class InterlockedMax
{
    /// <summary>Raises <paramref name="target"/> to <paramref name="value"/> if that is higher, atomically.</summary>
    public static void Update(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen)
        {
            int was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }
}
