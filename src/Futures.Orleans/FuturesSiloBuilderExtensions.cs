using Futures.Orleans.Grains;
using Futures.Orleans.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Serialization;

namespace Futures.Orleans;

/// <summary>Turns any Orleans silo into a Futures worker node.</summary>
public static class FuturesSiloBuilderExtensions
{
    /// <summary>Makes this silo run tasks sent by <see cref="OrleansExecutor"/>s.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Sets the node's <see cref="FuturesWorkerOptions"/>; null keeps the defaults.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <remarks>
    /// Tasks run on the node's own executor (a thread pool of <see cref="FuturesWorkerOptions.MaxConcurrency"/>
    /// threads, or a process pool), never on Orleans' scheduler. Their code is found by MVID among
    /// the silo's own assemblies and its probe folders, or uploaded once by the client.
    /// </remarks>
    public static ISiloBuilder AddFuturesWorker(this ISiloBuilder builder, Action<FuturesWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<FuturesWorkerOptions> options = builder.Services.AddOptions<FuturesWorkerOptions>();
        if (configure is not null) options.Configure(configure);
        builder.Services.AddSingleton<WorkerNode>();
        builder.Services.AddPlacementDirector<NodePinnedPlacement, NodePinnedPlacementDirector>();
        builder.Services.AddSerializer(s => s.AddAssembly(typeof(INodeGrain).Assembly));
        return builder;
    }
}
