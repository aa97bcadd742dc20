using System.Diagnostics;
using System.IO.Pipes;
using System.Text;
using Futures.ProcessPool;
using Futures.ProcessPool.Protocol;
using Futures.ProcessPool.WorkerHost;

namespace Futures.Tests;

/// <summary>The worker loop driven in-process over a pipe pair, and one real worker process driven frame by frame.</summary>
[Collection("ProcessPool")]
public sealed class WorkerHostTests : ProcessTestBase
{
    private static CallItem Call(long id, Delegate fn, Type[] argTypes, Type? resultType, string argsJson) =>
        new(id, MethodRef.Of(fn.Method), argTypes.Select(MethodRef.TypeName).ToArray(),
            resultType is null ? "" : MethodRef.TypeName(resultType), false, Encoding.UTF8.GetBytes(argsJson));

    [Fact]
    public void WorkerLoop_InMemory_RunsCallsAndStopsOnShutdown()
    {
        using var worker = new InMemoryWorker();
        Stream toWorker = worker.ToWorker, fromWorker = worker.FromWorker;

        new Frame(MessageKind.Call, Call(1, ProcessTasks.Add, [typeof(int), typeof(int)], typeof(int), "[2,3]").Encode()).WriteTo(toWorker);
        ResultItem ok = ResultItem.Decode(Frame.ReadFrom(fromWorker)!.Value.Payload);
        ok.CallId.Should().Be(1);
        Encoding.UTF8.GetString(ok.ResultJson).Should().Be("[5]"); // the codec's array of values

        new Frame(MessageKind.Call, Call(2, ProcessTasks.Throw, [typeof(string)], typeof(int), "[\"boom\"]").Encode()).WriteTo(toWorker);
        ResultItem failed = ResultItem.Decode(Frame.ReadFrom(fromWorker)!.Value.Payload);
        failed.Exception!.TypeName.Should().Be(typeof(InvalidOperationException).FullName);
        failed.Exception.Message.Should().Be("boom");
        failed.Exception.StackTrace.Should().Contain(nameof(ProcessTasks.Throw));

        // A worker holding a different build of the method's assembly refuses to run it.
        CallItem stale = Call(3, ProcessTasks.Add, [typeof(int), typeof(int)], typeof(int), "[2,3]");
        stale = stale with { Method = stale.Method with { ModuleVersionId = Guid.NewGuid() } };
        new Frame(MessageKind.Call, stale.Encode()).WriteTo(toWorker);
        ResultItem refused = ResultItem.Decode(Frame.ReadFrom(fromWorker)!.Value.Payload);
        refused.Exception!.Message.Should().Contain("different build").And.Contain("ProcessTasks.Add");

        // Arguments that do not match the declared types fail that call only.
        new Frame(MessageKind.Call, Call(4, ProcessTasks.Add, [typeof(int), typeof(int)], typeof(int), "[\"x\",3]").Encode()).WriteTo(toWorker);
        ResultItem.Decode(Frame.ReadFrom(fromWorker)!.Value.Payload).Exception!.TypeName.Should().Be(typeof(System.Text.Json.JsonException).FullName);

        worker.ShutDown().Should().Be(0);
    }

    [Fact]
    public void WorkerLoop_InMemory_CallsById_UseTheHeaderSentOnce()
    {
        using var worker = new InMemoryWorker();
        Stream toWorker = worker.ToWorker, fromWorker = worker.FromWorker;

        CallHeader add = Call(0, ProcessTasks.Add, [typeof(int), typeof(int)], typeof(int), "[]").Header;
        new Frame(MessageKind.Header, add.EncodeWithId(5)).WriteTo(toWorker);
        CallHeader stale = add with { Method = add.Method with { ModuleVersionId = Guid.NewGuid() } };
        new Frame(MessageKind.Header, stale.EncodeWithId(6)).WriteTo(toWorker);
        for (int i = 1; i <= 2; i++)
        {
            byte[] body = new CallBody(i, 1, false, "", "", Encoding.UTF8.GetBytes($"[{i},10]")).EncodeWithHeaderId(5);
            new Frame(MessageKind.CallById, body).WriteTo(toWorker);
            ResultItem ok = ResultItem.Decode(Frame.ReadFrom(fromWorker)!.Value.Payload);
            ok.CallId.Should().Be(i);
            Encoding.UTF8.GetString(ok.ResultJson).Should().Be($"[{i + 10}]");
        }
        // A header that cannot be resolved fails each call that names it, with the reason.
        for (int i = 3; i <= 4; i++)
        {
            new Frame(MessageKind.CallById, new CallBody(i, 1, false, "", "", Encoding.UTF8.GetBytes("[1,2]")).EncodeWithHeaderId(6)).WriteTo(toWorker);
            ResultItem refused = ResultItem.Decode(Frame.ReadFrom(fromWorker)!.Value.Payload);
            refused.CallId.Should().Be(i);
            refused.Exception!.Message.Should().Contain("different build");
        }

        worker.ShutDown().Should().Be(0);
    }

    [Fact]
    public void CallHeaders_SameFunctionAndTypes_OneHeader_OtherTypes_Another()
    {
        var executor = new CapturingExecutor();
        executor.Submit(ProcessTasks.Square, 2);
        CallShape intShape = CallShape.Of(executor.Last!);
        executor.Submit(ProcessTasks.Identity, "s");
        CallShape stringShape = CallShape.Of(executor.Last!);
        DescribedMethod square = DelegateDescriptor.Describe(new Func<int, int>(ProcessTasks.Square), "fn");
        DescribedMethod identity = DelegateDescriptor.Describe(new Func<string, string>(ProcessTasks.Identity), "fn");

        SentHeader first = CallHeaders.For(square, intShape)!;
        CallHeaders.For(square, intShape).Should().BeSameAs(first);
        CallHeaders.For(identity, stringShape)!.Id.Should().NotBe(first.Id);
        CallHeader.DecodeWithId(first.Payload).Id.Should().Be(first.Id);
        CallHeader.DecodeWithId(first.Payload).Header.Method.DisplayName.Should().EndWith("ProcessTasks.Square");
    }

    /// <summary>A <see cref="WorkerLoop"/> on a thread of this process, over a pipe pair, past its Ready.</summary>
    private sealed class InMemoryWorker : IDisposable
    {
        private readonly AnonymousPipeServerStream _toWorker = new(PipeDirection.Out);
        private readonly AnonymousPipeServerStream _fromWorker = new(PipeDirection.In);
        private readonly AnonymousPipeClientStream _workerIn;
        private readonly AnonymousPipeClientStream _workerOut;
        private readonly Thread _thread;
        private int _exitCode = -1;

        public InMemoryWorker()
        {
            _workerIn = new AnonymousPipeClientStream(PipeDirection.In, _toWorker.ClientSafePipeHandle);
            _workerOut = new AnonymousPipeClientStream(PipeDirection.Out, _fromWorker.ClientSafePipeHandle);
            var loop = new WorkerLoop(_workerIn, _workerOut, onParentLost: null);
            _thread = new Thread(() => _exitCode = loop.Run());
            _thread.Start();
            new Frame(MessageKind.Init, new InitItem(null).Encode()).WriteTo(_toWorker);
            Frame.ReadFrom(_fromWorker)!.Value.Kind.Should().Be(MessageKind.Ready);
        }

        public Stream ToWorker => _toWorker;

        public Stream FromWorker => _fromWorker;

        /// <summary>Sends Shutdown and returns the loop's exit code.</summary>
        public int ShutDown()
        {
            new Frame(MessageKind.Shutdown, []).WriteTo(_toWorker);
            _thread.Join(UnexpectedTimeout).Should().BeTrue();
            return _exitCode;
        }

        public void Dispose()
        {
            _toWorker.Dispose(); // end of file ends a loop that is still running
            _thread.Join(UnexpectedTimeout);
            _fromWorker.Dispose();
            _workerIn.Dispose();
            _workerOut.Dispose();
        }
    }

    /// <summary>Keeps the work items Submit makes, instead of running them.</summary>
    private sealed class CapturingExecutor : Executor
    {
        public WorkItem? Last;

        protected override void Schedule(WorkItem item) => Last = item;
    }

    [Fact]
    public void WorkerProcess_FromTestAssembly_RunsStaticMethodAndReportsStartTime()
    {
        var inbox = new ManagerInbox();
        WorkerProcess worker = WorkerProcess.Start(WorkerLauncher.Default, inbox, 0);
        ExtraPids.Add(worker.Pid);
        worker.Send(MessageKind.Init, new InitItem(null).Encode());
        worker.Send(MessageKind.Call, Call(7, ProcessTasks.Pid, [], typeof(int), "[]").Encode());

        Take(inbox).Frame.Kind.Should().Be(MessageKind.Ready);
        TimeSpan startTime = Stopwatch.GetElapsedTime(worker.StartedAt);
        ManagerEvent result = Take(inbox);
        ResultItem item = ResultItem.Decode(result.Frame.Payload);
        item.Exception.Should().BeNull();
        int.Parse(Encoding.UTF8.GetString(item.ResultJson).Trim('[', ']')).Should().Be(worker.Pid).And.NotBe(Environment.ProcessId);

        worker.SendShutdown();
        ManagerEvent exited = Take(inbox);
        exited.Kind.Should().Be(ManagerEventKind.Exited);
        worker.ExitCode.Should().Be(0);
        worker.Dispose();
        Console.WriteLine($"worker start to Ready: {startTime.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void WorkerLauncher_UnderTestHost_UsesTheTestAssemblysDepsJsonAndRuntimeConfig()
    {
        // APP_CONTEXT_DEPS_FILES is ';'-separated on every platform; splitting it on ':' (Unix's
        // PathSeparator) once left workers without the app's deps.json and runtimeconfig.json.
        WorkerLauncher launcher = WorkerLauncher.Default;
        Path.GetFileName(launcher.DepsFile).Should().Be("Futures.Tests.deps.json");
        Path.GetFileName(launcher.RuntimeConfig).Should().Be("Futures.Tests.runtimeconfig.json");
        File.Exists(launcher.DepsFile).Should().BeTrue();
        File.Exists(launcher.RuntimeConfig).Should().BeTrue();
    }

    private static ManagerEvent Take(ManagerInbox inbox)
    {
        inbox.TryTake(UnexpectedTimeout, out ManagerEvent e).Should().BeTrue("the worker must answer");
        return e;
    }
}
