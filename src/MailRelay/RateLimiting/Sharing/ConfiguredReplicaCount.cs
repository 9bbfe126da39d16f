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

    /// <summary>Nothing to read again: REPLICAS is fixed for the process's life.</summary>
    public void Refresh()
    {
    }
}
