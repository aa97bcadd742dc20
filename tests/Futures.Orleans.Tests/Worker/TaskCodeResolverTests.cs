using Futures.Orleans.Worker;
using Futures.ProcessPool.Protocol;

namespace Futures.Orleans.Tests.Worker;

public sealed class TaskCodeResolverTests
{
    public static int Twice(int x) => 2 * x;

    private static MethodRef TwiceRef => MethodRef.Of(typeof(TaskCodeResolverTests).GetMethod(nameof(Twice))!);

    [Fact]
    public void ResolveMethod_LoadedBuild_FindsItByMvid()
    {
        var resolver = new TaskCodeResolver([], "node-x");
        resolver.ResolveMethod(TwiceRef).Method.Invoke(null, [21]).Should().Be(42);
    }

    [Fact]
    public void ResolveMethod_DifferentBuild_FailsNamingBothVersions()
    {
        var resolver = new TaskCodeResolver([], "node-x");
        MethodRef other = TwiceRef with { ModuleVersionId = Guid.NewGuid() };
        Action resolve = () => resolver.ResolveMethod(other);
        resolve.Should().Throw<InvalidOperationException>()
            .WithMessage($"*node-x*different build*{typeof(TaskCodeResolverTests).Assembly.ManifestModule.ModuleVersionId}*{other.ModuleVersionId}*was not run*");
    }

    [Fact]
    public void ResolveMethod_NoBuildAtAll_AsksForUpload()
    {
        var resolver = new TaskCodeResolver([], "node-x");
        MethodRef missing = TwiceRef with { AssemblyName = "NoSuchTasks, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null", ModuleVersionId = Guid.NewGuid() };
        Action resolve = () => resolver.ResolveMethod(missing);
        resolve.Should().Throw<MissingTaskAssemblyException>().Which.ModuleVersionId.Should().Be(missing.ModuleVersionId);
    }
}
