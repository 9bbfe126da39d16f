using System.Diagnostics.CodeAnalysis;
using MailRelay.RateLimiting;

namespace MailRelay.Delivery.Scheduling;

/// <summary>The jobs waiting for one provider (and custom-domain scope), in arrival order, with its pump flag.</summary>
internal sealed class ReadyQueue
{
    private readonly Lock _sync = new();
    private readonly LinkedList<DeliveryJob> _jobs = new();
    private bool _pumping;

    public ReadyQueue(string key, ProviderKey provider, ProviderKey? scope)
    {
        Key = key;
        Provider = provider;
        Scope = scope;
    }

    public string Key { get; }

    public ProviderKey Provider { get; }

    public ProviderKey? Scope { get; }

    /// <summary>How long before a send slot this queue's jobs go to a worker, learnt from their setups.</summary>
    public ConnectLead Lead { get; } = new();

    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _jobs.Count;
            }
        }
    }

    /// <summary>Appends a job; true when no pump is running and the caller must start one.</summary>
    public bool Add(DeliveryJob job)
    {
        lock (_sync)
        {
            _jobs.AddLast(job);
            if (_pumping)
            {
                return false;
            }

            _pumping = true;
            return true;
        }
    }

    /// <summary>The oldest job; false (and the pump flag cleared) when the queue is empty.</summary>
    public bool TryPeek([NotNullWhen(true)] out DeliveryJob? job)
    {
        lock (_sync)
        {
            if (_jobs.First is { } first)
            {
                job = first.Value;
                return true;
            }

            _pumping = false;
            job = null;
            return false;
        }
    }

    public void Remove(DeliveryJob job)
    {
        lock (_sync)
        {
            _jobs.Remove(job);
        }
    }

    /// <summary>Empties the queue (stopping) and clears the pump flag.</summary>
    public List<DeliveryJob> TakeAll()
    {
        lock (_sync)
        {
            var all = _jobs.ToList();
            _jobs.Clear();
            _pumping = false;
            return all;
        }
    }
}
