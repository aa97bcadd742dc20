using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace Futures.Analyzers.Generator;

/// <summary>An immutable array compared by its items, so that the generator's pipeline can tell an unchanged model from a changed one.</summary>
/// <typeparam name="T">An item type with value equality.</typeparam>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IEnumerable<T>
    where T : IEquatable<T>
{
    private readonly T[]? _items;

    public EquatableArray(IEnumerable<T> items) => _items = items.ToArray();

    /// <summary>The number of items.</summary>
    public int Count => _items?.Length ?? 0;

    /// <inheritdoc/>
    public bool Equals(EquatableArray<T> other) => AsSpan().SequenceEqual(other.AsSpan());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        int hash = 17;
        foreach (T item in AsSpan()) hash = unchecked(hash * 31 + item.GetHashCode());
        return hash;
    }

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private ReadOnlySpan<T> AsSpan() => _items;
}
