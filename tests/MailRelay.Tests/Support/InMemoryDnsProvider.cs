using MailRelay.DnsPublishing;

namespace MailRelay.Tests.Support;

/// <summary>
/// A provider over a list, answering like a per-name provider (RFC 2136): only records at the names asked for.
/// Every write is recorded, so a test can tell "nothing changed" from "changed back".
/// </summary>
internal sealed class InMemoryDnsProvider : IDnsRecordProvider
{
    private readonly List<DnsRecord> _records = [];
    private int _nextId;

    public InMemoryDnsProvider(bool exclusive = false)
    {
        RecordsAreExclusive = exclusive;
    }

    public string Name => "memory";

    public bool RecordsAreExclusive { get; }

    /// <summary>What <see cref="HasConvergedAsync"/> answers.</summary>
    public bool Converged { get; set; } = true;

    /// <summary>When set, the next read throws it.</summary>
    public Exception? FailNextRead { get; set; }

    public List<DnsChange> Applied { get; } = [];

    public List<IReadOnlyCollection<string>> Reads { get; } = [];

    public IReadOnlyList<DnsRecord> Records => _records;

    /// <summary>Puts a record in place as someone else would (no marker).</summary>
    public DnsRecord Seed(string name, DnsRecordType type, string value, int ttl = 300)
    {
        var record = new DnsRecord(name, type, value, ttl, "id" + ++_nextId);
        _records.Add(record);
        return record;
    }

    public IEnumerable<DnsRecord> At(string name, DnsRecordType type) =>
        _records.Where(r => r.Name == name && r.Type == type);

    public Task<IReadOnlyList<DnsRecord>> ReadAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        if (FailNextRead is { } failure)
        {
            FailNextRead = null;
            throw failure;
        }

        Reads.Add(names);
        var wanted = names.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return Task.FromResult<IReadOnlyList<DnsRecord>>(_records.Where(r => wanted.Contains(r.Name)).ToArray());
    }

    public Task ApplyAsync(IReadOnlyList<DnsChange> changes, CancellationToken cancellationToken)
    {
        foreach (var change in changes)
        {
            Applied.Add(change);
            if (change.Existing is { } existing)
            {
                Assert.True(_records.Remove(_records.Single(r => r.ProviderId == existing.ProviderId)), $"{existing} was not published");
            }

            if (change.Replacement is { } replacement)
            {
                _records.Add(replacement with { ProviderId = "id" + ++_nextId });
            }
        }

        return Task.CompletedTask;
    }

    public Task<bool> HasConvergedAsync(CancellationToken cancellationToken) => Task.FromResult(Converged);
}
