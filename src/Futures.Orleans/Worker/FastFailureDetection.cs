using Orleans.Configuration;

namespace Futures.Orleans.Worker;

/// <summary>Membership settings under which a killed node is declared dead in about a second (tests, demos, one machine).</summary>
/// <remarks>
/// Orleans' defaults take 10 s or more (probe timeout 5 s, three missed probes, two votes): right
/// for real networks, where a pause is not a death. Here a dead process refuses connections at
/// once, so two missed 400 ms probes and one vote decide. Too tight for a busy production network.
/// </remarks>
internal static class FastFailureDetection
{
    public static void Apply(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromMilliseconds(400);
        o.NumMissedProbesLimit = 2;
        o.NumVotesForDeathDeclaration = 1;
        o.NumProbedSilos = 2;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
        o.EnableIndirectProbes = false;
        o.ExtendProbeTimeoutDuringDegradation = false;
    }
}
