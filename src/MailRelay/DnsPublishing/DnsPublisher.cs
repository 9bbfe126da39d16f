using System.Net;
using MailRelay.Configuration;

namespace MailRelay.DnsPublishing;

/// <summary>
/// One publishing run: public addresses → desired records (with the DKIM keys on disk) → what the provider has →
/// plan → (apply). Shared by the background publisher and the <c>dns</c> commands, so both do exactly the same.
/// </summary>
public sealed class DnsPublisher
{
    private readonly RelayConfiguration _configuration;
    private readonly IDnsRecordProvider _provider;
    private readonly IPublicAddressSource? _addresses;
    private readonly ManagedNamesState _state;
    private readonly ILogger _logger;

    /// <param name="addresses">Where the public addresses come from; null when no record needs them.</param>
    public DnsPublisher(RelayConfiguration configuration, IDnsRecordProvider provider, IPublicAddressSource? addresses, ILogger<DnsPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(logger);
        _configuration = configuration;
        _provider = provider;
        _addresses = addresses;
        _state = new ManagedNamesState(configuration.DataDirectory);
        _logger = logger;
    }

    public IDnsRecordProvider Provider => _provider;

    /// <summary>
    /// The failures a run reports rather than crashes on: the provider's, a DKIM key that cannot be read, files and
    /// HTTP. The daemon retries them; the <c>dns</c> commands print them.
    /// </summary>
    public static bool IsRunFailure(Exception exception) =>
        exception is DnsProviderException or Dkim.DkimConfigurationException or IOException or UnauthorizedAccessException or HttpRequestException;

    public IPublicAddressSource? AddressSource => _addresses;

    /// <summary>Plans, and with <paramref name="apply"/> makes the changes.</summary>
    /// <exception cref="DnsProviderException">The addresses, the provider or a change failed.</exception>
    /// <exception cref="Dkim.DkimConfigurationException">A DKIM key on disk cannot be read.</exception>
    public async Task<DnsPublishResult> RunAsync(bool apply, CancellationToken cancellationToken)
    {
        var addresses = await GetAddressesAsync(cancellationToken);
        var keys = DkimKeysOnDisk.Read(_configuration.Dkim);
        var desired = DesiredRecords.Compute(_configuration, keys, addresses);
        var exclusive = _provider.RecordsAreExclusive;
        var names = NamesToRead(desired, exclusive);
        var published = await _provider.ReadAsync(names, cancellationToken);
        var plan = DnsPlanner.Plan(desired, published, _configuration.Dns.OwnerId, exclusive);

        foreach (var conflict in plan.Records.Where(r => r.State == DnsRecordState.Conflict))
        {
            var kind = OwnershipMarker.KindWord(conflict.Kind);
            DnsPublishLog.Conflict(_logger, _provider.Name, kind, conflict.Name, conflict.Detail ?? string.Empty);
        }

        if (!apply)
        {
            return new DnsPublishResult(addresses, desired, plan.Changes, plan.Records, Applied: false);
        }

        if (plan.Changes.Count > 0)
        {
            await _provider.ApplyAsync(plan.Changes, cancellationToken);
            foreach (var change in plan.Changes)
            {
                var text = change.ToString();
                DnsPublishLog.ChangeApplied(_logger, _provider.Name, text);
            }
        }

        if (!exclusive)
        {
            _state.Write(plan.OwnedAfter.Select(s => s.Name));
        }

        var converged = await _provider.HasConvergedAsync(cancellationToken);
        var records = plan.Records.Where(r => r.Desired.Count > 0).Select(r => AfterApply(r, converged)).ToArray();
        var inSync = records.Count(r => r.State == DnsRecordState.InSync);
        var pending = records.Count(r => r.State == DnsRecordState.Pending);
        var conflicts = records.Count(r => r.State == DnsRecordState.Conflict);
        var addressText = addresses.Count == 0 ? "not needed" : string.Join(", ", addresses);
        DnsPublishLog.Planned(_logger, _provider.Name, inSync, pending, conflicts, addressText);

        return new DnsPublishResult(addresses, desired, plan.Changes, records, Applied: true);
    }

    /// <summary>
    /// A set that was pending is now published, unless the provider has yet to carry the change out (external-dns
    /// reconciles a DNSEndpoint on its own schedule): then every set of ours waits with it. Conflicts stay conflicts.
    /// </summary>
    private static DnsRecordStatus AfterApply(DnsRecordStatus record, bool converged) => record.State switch
    {
        DnsRecordState.Pending or DnsRecordState.InSync when !converged =>
            record with { State = DnsRecordState.Pending, Detail = "applied; waiting for the provider to carry it out" },
        DnsRecordState.Pending => record with { State = DnsRecordState.InSync, Published = record.Desired, Detail = null },
        _ => record,
    };

    private async Task<IReadOnlyList<IPAddress>> GetAddressesAsync(CancellationToken cancellationToken)
    {
        var dns = _configuration.Dns;
        if (!DnsSettings.NeedsAddresses(dns.Records, _configuration.Delivery.RelayHost is not null) || _addresses is null)
        {
            return [];
        }

        return await _addresses.GetAddressesAsync(cancellationToken);
    }

    /// <summary>Every desired name and its marker, and the names owned before (their records may have to go).</summary>
    private List<string> NamesToRead(IReadOnlyList<DesiredRecordSet> desired, bool exclusive)
    {
        var names = desired.Select(d => d.Name.ToLowerInvariant()).ToList();
        if (!exclusive)
        {
            try
            {
                names.AddRange(_state.Read());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                DnsPublishLog.StateUnreadable(_logger, _state.FilePath, e.Message);
            }

            names.AddRange(names.Select(OwnershipMarker.NameFor).ToArray());
        }

        return names.Distinct(StringComparer.Ordinal).ToList();
    }
}
