using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Futures.Orleans.Grains;

/// <summary>Places a node grain on the node its key names: <c>{silo}/{link id}</c>, the silo as <c>SiloAddress.ToParsableString()</c>.</summary>
/// <remarks>
/// The executor picks the node and names it in the key, so that the grain's place is a function of
/// its id. That matters after a membership change: when the grain directory loses the entry of a live
/// activation, the next call activates the grain again <em>on the same node</em>, where the link's
/// session lives on in <c>WorkerNode</c>; only a node that is gone yields an activation elsewhere,
/// whose answers name another node: the link's calls were lost. A key naming a silo that is not (or
/// no longer) a compatible node is placed on a random compatible one.
/// </remarks>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
internal sealed class NodePinnedPlacement : PlacementStrategy
{
    public static readonly NodePinnedPlacement Instance = new();

    /// <summary>The key of a link's grain on <paramref name="silo"/>.</summary>
    public static string Key(string silo, Guid link) => $"{silo}/{link:N}";

    /// <summary>The silo part of a node grain's key.</summary>
    public static string SiloOf(string key) => key[..Math.Max(0, key.LastIndexOf('/'))];
}

/// <summary>Marks a grain class as placed by <see cref="NodePinnedPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class NodePinnedPlacementAttribute() : PlacementAttribute(NodePinnedPlacement.Instance);

/// <summary>Carries out <see cref="NodePinnedPlacement"/> on the silo that places the activation.</summary>
internal sealed class NodePinnedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        SiloAddress[] compatible = context.GetCompatibleSilos(target);
        string silo = NodePinnedPlacement.SiloOf(target.GrainIdentity.Key.ToString() ?? "");
        foreach (SiloAddress candidate in compatible)
        {
            if (candidate.ToParsableString() == silo) return Task.FromResult(candidate);
        }
        return Task.FromResult(compatible[Random.Shared.Next(compatible.Length)]);
    }
}
