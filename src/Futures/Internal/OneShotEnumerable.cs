using System.Collections;

namespace Futures.Internal;

/// <summary>
/// The results of Map and MapUnordered: one enumeration only, as Python's <c>map</c> generator
/// (contract v2). A second <see cref="GetEnumerator"/> throws instead of starting a second reader
/// over the same submitted calls.
/// </summary>
/// <remarks>
/// A compiler-generated iterator hands a second caller a fresh enumerator over the same captured
/// state (here: the queue of submitted futures and the input's enumerator), so two enumerations
/// would share, and race over, one set of calls.
/// </remarks>
internal sealed class OneShotEnumerable<T> : IEnumerable<T>
{
    /// <summary>The results; null once enumeration has begun (set once, by exchange).</summary>
    private IEnumerable<T>? _results;

    public OneShotEnumerable(IEnumerable<T> results) => _results = results;

    public IEnumerator<T> GetEnumerator() =>
        (Interlocked.Exchange(ref _results, null) ?? throw new InvalidOperationException(Messages.MapEnumeratedTwice)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
