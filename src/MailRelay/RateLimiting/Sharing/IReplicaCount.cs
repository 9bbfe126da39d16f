namespace MailRelay.RateLimiting.Sharing;

/// <summary>
/// How many replicas share the ceilings: while Redis is unreachable each keeps to 1/<see cref="Current"/> of every
/// ceiling. The first source is the REPLICAS variable (<see cref="ConfiguredReplicaCount"/>); a source that reads the
/// StatefulSet's replica count can take its place in the service collection.
/// </summary>
public interface IReplicaCount
{
    /// <summary>At least 1.</summary>
    int Current { get; }

    /// <summary>Asks the source to read the count again soon (Redis was just lost); returns at once.</summary>
    void Refresh();
}
