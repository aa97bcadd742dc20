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
    public void Submit_LargeByteArrayChangedAfterSubmit_WorkerSeesItAsSubmitted()
    {
        // Large enough for a pooled snapshot (PooledBytes.MinLength).
        var pool = NewPool();
        Future busy = pool.Submit(ProcessTasks.Sleep, 200);
        byte[] data = RandomNumberGenerator.GetBytes(1024 * 1024);
        byte[] submitted = SHA256.HashData(data);
        Future<byte[]> hashed = pool.Submit(Hash, data);
        Array.Fill(data, (byte)7);
        hashed.Result(UnexpectedTimeout).Should().Equal(submitted);
        busy.Result(UnexpectedTimeout);
    }

    [Fact]
    public void Submit_ManyLargeByteArrays_EachArrivesAsItsOwn()
    {
        // The pooled snapshots go back when each call is done and are rented again by the next ones:
        // no call may see another's bytes.
        var pool = NewPool(maxWorkers: 2);
        byte[][] items = Enumerable.Range(0, 12).Select(_ => RandomNumberGenerator.GetBytes(200_000 + Random.Shared.Next(1000))).ToArray();
        for (int round = 0; round < 3; round++)
        {
            List<Future<byte[]>> hashes = items.Select(item => pool.Submit(Hash, item)).ToList();
            for (int i = 0; i < items.Length; i++) hashes[i].Result(UnexpectedTimeout).Should().Equal(SHA256.HashData(items[i]));
        }
    }

    [Fact]
    public void ReplaceWorker_LargeByteArrayQueuedBehindACrash_IsSentAgainWhole()
    {
        // The extra call waits in the dying worker's pipe, never started: it goes to the new worker,
        // its pooled snapshot still held (it is returned only once the call is done).
        var pool = NewPool(maxWorkers: 1, workerCrashMode: WorkerCrashMode.ReplaceWorker);
        pool.Submit(ProcessTasks.Pid).Result(UnexpectedTimeout);
        byte[] big = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        Future<int> dying = pool.Submit(ProcessTasks.Exit, 3);
        Future<byte[]> behind = pool.Submit(Hash, big);
        dying.Exception(UnexpectedTimeout).Should().BeOfType<BrokenProcessPoolException>();
        behind.Result(UnexpectedTimeout).Should().Equal(SHA256.HashData(big));
    }

    [Fact]
    public void Submit_LargeByteArrayCancelledWhileQueued_OthersStillArriveWhole()
    {
        var pool = NewPool();
        Future busy = pool.Submit(ProcessTasks.Sleep, 200);
        Future extra = pool.Submit(ProcessTasks.Sleep, 1); // the one extra call handed out behind the busy worker
        ProcessPoolExecutorTests.WaitUntilRunning(extra);
        Future<byte[]> cancelled = pool.Submit(Hash, RandomNumberGenerator.GetBytes(300_000));
        cancelled.Cancel().Should().BeTrue();
        byte[] big = RandomNumberGenerator.GetBytes(300_000);
        pool.Submit(Hash, big).Result(UnexpectedTimeout).Should().Equal(SHA256.HashData(big));
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
