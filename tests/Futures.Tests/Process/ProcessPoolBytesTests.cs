using System.Security.Cryptography;

namespace Futures.Tests;

/// <summary>byte[] arguments and results, which cross a worker pipe as raw blob frames rather than base64 JSON.</summary>
[Collection("ProcessPool")]
public sealed class ProcessPoolBytesTests : ProcessTestBase
{
    public static byte[] Echo(byte[] data) => data;

    public static byte[]? EchoNullable(byte[]? data) => data;

    public static string Describe(byte[]? a, int n, byte[]? b) =>
        $"{(a is null ? "null" : Convert.ToHexString(a))}|{n}|{(b is null ? "null" : Convert.ToHexString(b))}";

    public static byte[] Hash(byte[] data) => SHA256.HashData(data);

    public static int Length(byte[] data) => data.Length;

    [Fact]
    public void Submit_ByteArrays_RoundTripUnchanged_SmallEmptyAndLarge()
    {
        var pool = NewPool();
        pool.Submit(Echo, new byte[] { 1, 2, 3 }).Result(UnexpectedTimeout).Should().Equal(1, 2, 3);
        pool.Submit(Echo, Array.Empty<byte>()).Result(UnexpectedTimeout).Should().BeEmpty();
        byte[] big = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 7); // larger than any pipe buffer
        pool.Submit(Echo, big).Result(UnexpectedTimeout).Should().Equal(big);
        pool.Submit(Hash, big).Result(UnexpectedTimeout).Should().Equal(SHA256.HashData(big));
    }

    [Fact]
    public void Submit_NullByteArrays_StayNull()
    {
        var pool = NewPool();
        pool.Submit(EchoNullable, (byte[]?)null).Result(UnexpectedTimeout).Should().BeNull();
        pool.Submit(Describe, (byte[]?)null, 5, new byte[] { 0xAB }).Result(UnexpectedTimeout).Should().Be("null|5|AB");
        pool.Submit(Describe, new byte[] { 1 }, 6, (byte[]?)null).Result(UnexpectedTimeout).Should().Be("01|6|null");
    }

    [Fact]
    public void Submit_ByteArrayChangedAfterSubmit_WorkerSeesItAsSubmitted()
    {
        var pool = NewPool();
        Future busy = pool.Submit(ProcessTasks.Sleep, 200); // the only worker is busy: the next call waits in the queue
        var data = new byte[] { 1, 2, 3 };
        Future<byte[]> echoed = pool.Submit(Echo, data);
        data[0] = 99;
        echoed.Result(UnexpectedTimeout).Should().Equal(1, 2, 3);
        busy.Result(UnexpectedTimeout);
    }

    [Fact]
    public void Map_ByteArrays_InChunksAndSingly()
    {
        var pool = NewPool(maxWorkers: 2);
        byte[][] items = Enumerable.Range(0, 50).Select(i => Enumerable.Repeat((byte)i, i).ToArray()).ToArray();
        pool.Map(Length, items, chunkSize: 7).Should().Equal(Enumerable.Range(0, 50));
        pool.Map(Echo, items).Select(b => b.Length).Should().Equal(Enumerable.Range(0, 50));
    }
}
