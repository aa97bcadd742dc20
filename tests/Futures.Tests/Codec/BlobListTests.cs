using Futures.Codec;

namespace Futures.Tests.Codec;

/// <summary>How a blob list takes bytes: a Submit's copies (large ones into pooled buffers, returned once), a worker result's arrays as they are.</summary>
public sealed class BlobListTests
{
    [Fact]
    public void Snapshots_LargeBytes_ArePooledCopies_ReturnedOnce()
    {
        var list = new BlobList(snapshots: true);
        byte[] data = Enumerable.Range(0, PooledBytes.MinLength).Select(i => (byte)i).ToArray();

        list.AddBytes(data, whole: data);
        var pooled = list.Items[0].Should().BeOfType<PooledBytes>().Which;
        data[0] = 200;

        pooled.Length.Should().Be(data.Length);
        pooled.Array.AsSpan(0, pooled.Length).ToArray().Should().Equal(Enumerable.Range(0, PooledBytes.MinLength).Select(i => (byte)i));
        list.Release();
        list.Release(); // a second release returns nothing twice
        FluentActions.Invoking(() => pooled.Array).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Snapshots_SmallBytes_AreCopies()
    {
        var list = new BlobList(snapshots: true);
        byte[] data = new byte[BlobList.MinBytes];

        list.AddBytes(data, whole: data);

        list.Items[0].Should().BeOfType<byte[]>().Which.Should().NotBeSameAs(data).And.Equal(data);
    }

    [Fact]
    public void WithoutSnapshots_WholeArraysAreKept_SpansAreCopied()
    {
        var list = new BlobList();
        byte[] data = new byte[PooledBytes.MinLength];

        list.AddBytes(data, whole: data);
        list.AddBytes(data.AsSpan(1), whole: null);

        list.Items[0].Should().BeSameAs(data);
        list.Items[1].Should().BeOfType<byte[]>().Which.Length.Should().Be(data.Length - 1);
    }

    [Fact]
    public void Truncate_ReturnsTheDroppedPooledBuffers()
    {
        var list = new BlobList(snapshots: true);
        list.AddBytes(new byte[PooledBytes.MinLength], whole: null);
        list.AddBytes(new byte[PooledBytes.MinLength], whole: null);
        var kept = (PooledBytes)list.Items[0];
        var dropped = (PooledBytes)list.Items[1];

        list.Truncate(1);

        list.Count.Should().Be(1);
        FluentActions.Invoking(() => dropped.Array).Should().Throw<ObjectDisposedException>();
        kept.Array.Should().NotBeNull();
        list.Release();
    }
}
