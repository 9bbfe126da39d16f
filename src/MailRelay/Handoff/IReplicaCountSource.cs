namespace MailRelay.Handoff;

/// <summary>Where the StatefulSet's wanted replica count comes from (the Kubernetes API; a fake in tests).</summary>
public interface IReplicaCountSource
{
    /// <summary>The <c>spec.replicas</c> of <paramref name="statefulSet"/>.</summary>
    /// <exception cref="HandoffException">The count cannot be read.</exception>
    Task<int> GetReplicasAsync(string statefulSet, CancellationToken cancellationToken);
}
