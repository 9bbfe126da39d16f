namespace MailRelay.RateLimiting.Sharing;

/// <summary>The replica count as REPLICAS gives it.</summary>
public sealed class ConfiguredReplicaCount : IReplicaCount
{
    public ConfiguredReplicaCount(int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        Current = replicas;
    }

    public int Current { get; }
}
