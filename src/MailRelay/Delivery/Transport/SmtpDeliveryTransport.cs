using System.Net;
using MailRelay.Dns;
using MailRelay.RateLimiting;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// The SMTP delivery transport: routes a request's domain (<see cref="DeliveryRouter"/>), opens the stored
/// message, takes a pooled connection to one of the next hops or connects to their addresses in order
/// (the next address or host after a connection failure, a 4xx or 5xx greeting, a TLS or AUTH failure),
/// runs one transaction and returns one result per recipient. A request's recipients may be at several domains
/// with the same next hop; they share the transaction. Safe for concurrent calls. As the
/// <see cref="IDestinationClassifier"/> it tells delivery pacing which provider a domain's MX hosts belong to, and
/// as the <see cref="INextHopGrouping"/> which domains share a next hop.
/// </summary>
public sealed class SmtpDeliveryTransport : IDeliveryTransport, IDestinationClassifier, INextHopGrouping, IAsyncDisposable
{
    private readonly SmtpTransportOptions _options;
    private readonly DeliveryRouter _router;
    private readonly MailExchangerResolver _resolver;
    private readonly HopConnector _connector;
    private readonly MessageTransaction _transaction;
    private readonly SmtpConnectionPool _pool;
    private readonly IMessageSigner? _signer;
    private readonly ProviderResolver? _providers;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <param name="signer">Signs each message on its way out; null sends the stored bytes as they are.</param>
    /// <param name="providers">When pacing is on: learns each domain's provider from the MX hosts it routes to.</param>
    /// <param name="returnPaths">Under BOUNCE_VERP_ENABLED: the MAIL FROM of each one-recipient transaction.</param>
    public SmtpDeliveryTransport(
        SmtpTransportOptions options,
        MailExchangerResolver resolver,
        TimeProvider timeProvider,
        ILogger<SmtpDeliveryTransport> logger,
        IMessageSigner? signer = null,
        ProviderResolver? providers = null,
        IReturnPathSource? returnPaths = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _resolver = resolver;
        _router = new DeliveryRouter(options, resolver);
        _connector = new HopConnector(options, timeProvider);
        _transaction = new MessageTransaction(options, returnPaths);
        _pool = new SmtpConnectionPool(timeProvider, options.IdleConnectionLifetime, options.MaxIdleConnections);
        _signer = signer;
        _providers = providers;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The idle connections kept for reuse.</summary>
    public SmtpConnectionPool Pool => _pool;

    public async Task<IReadOnlyList<RecipientResult>> DeliverAsync(DeliveryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var groups = await PlanGroupsAsync(request, cancellationToken).ConfigureAwait(false);
        if (groups.Count == 1)
        {
            return await DeliverPlannedAsync(groups[0].Plan, request, cancellationToken).ConfigureAwait(false);
        }

        // The scheduler grouped these domains by the MX hosts it last knew; one of them has moved since. Each next
        // hop gets its own transaction, but a paced request holds one delivery and send slot: only the first
        // transaction that connects may use it, the others wait for their retry.
        var results = new List<RecipientResult>(request.Recipients.Count);
        var connected = false;
        foreach (var (plan, domain, recipients) in groups)
        {
            var part = request with { Domain = domain, Recipients = recipients };
            if (plan.Failure is null && request.Pacing is not null && connected)
            {
                results.AddRange(Everyone(part, ReplyText.Local(451, "4.4.3", $"the next hop for {domain} changed since the attempt was scheduled"), null, null));
                continue;
            }

            connected |= plan.Failure is null;
            results.AddRange(await DeliverPlannedAsync(plan, part, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>
    /// The request's recipients by route: recipients whose domains route to the same hosts share one group (one
    /// transaction), in the order of their first recipient. A domain whose routing failed is a group of its own.
    /// </summary>
    private async Task<List<(RoutePlan Plan, string Domain, List<string> Recipients)>> PlanGroupsAsync(
        DeliveryRequest request, CancellationToken cancellationToken)
    {
        var plans = new Dictionary<string, RoutePlan>(StringComparer.Ordinal);
        var groups = new List<(RoutePlan Plan, string Domain, List<string> Recipients)>();
        foreach (var recipient in request.Recipients)
        {
            var domain = RecipientDomain.Of(recipient) is { Length: > 0 } own ? own : request.Domain;
            if (!plans.TryGetValue(domain, out var plan))
            {
                plan = await _router.PlanAsync(domain, cancellationToken).ConfigureAwait(false);
                plans[domain] = plan;
                if (plan.Kind == RouteKind.MailExchangers && plan.Hosts.Count > 0 && _providers is not null)
                {
                    // Keeps the domain → provider map current when a domain moves to another provider.
                    _providers.LearnMx(domain, plan.Hosts[0].Host);
                }
            }

            var index = groups.FindIndex(group => group.Domain == domain || SameHops(group.Plan, plan));
            if (index < 0)
            {
                groups.Add((plan, domain, [recipient]));
            }
            else
            {
                groups[index].Recipients.Add(recipient);
            }
        }

        return groups;
    }

    /// <summary>Two routes to the same hosts (the lookup's order of equal-preference hosts aside).</summary>
    private static bool SameHops(RoutePlan one, RoutePlan other) =>
        one.Failure is null && other.Failure is null && !one.ImplicitMx && !other.ImplicitMx
        && one.Kind == other.Kind && one.Hosts.Count == other.Hosts.Count
        && one.Hosts.All(other.Hosts.Contains);

    /// <summary>One transaction for recipients that share <paramref name="plan"/>.</summary>
    private async Task<IReadOnlyList<RecipientResult>> DeliverPlannedAsync(
        RoutePlan plan, DeliveryRequest request, CancellationToken cancellationToken)
    {
        if (plan.Failure is { } routeFailure)
        {
            TransportLog.RouteFailed(_logger, request.Domain, routeFailure);
            return Everyone(request, routeFailure, null, null);
        }

        LoadedMessage message;
        try
        {
            message = await LoadedMessage.OpenAsync(request.Message, _signer, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // An unreadable file or a failing signer defers; it must not escape as an exception.
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            TransportLog.MessageUnreadable(_logger, request.Message.QueueId, ex);
            return Everyone(request, ReplyText.Local(451, "4.3.0", $"cannot read the queued message: {ex.Message}"), null, null);
        }

        if (message.LinesRewritten)
        {
            TransportLog.LinesRewritten(_logger, request.Message.QueueId, LineLimit.MaxLineLength);
        }

        await using (message.ConfigureAwait(false))
        {
            try
            {
                return await DeliverAsync(plan, message, request, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The contract: outcomes are values; anything unforeseen defers the attempt.
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                TransportLog.AttemptFailed(_logger, request.Message.QueueId, ex);
                return Everyone(request, ReplyText.Local(451, "4.3.0", $"delivery attempt failed: {ex.Message}"), null, null);
            }
        }
    }

    public async ValueTask<ProviderKey?> ProviderOfAsync(string domain, ProviderResolver providers, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        ArgumentNullException.ThrowIfNull(providers);
        var key = domain.TrimEnd('.').ToLowerInvariant();
        if (_options.Routes.ContainsKey(key) || !string.IsNullOrEmpty(_options.RelayHost))
        {
            // The next hop is ours to choose, not the recipient's provider's: pace by the recipient domain.
            return providers.ForDomain(key);
        }

        if (providers.TryGetKnown(key, out var known))
        {
            return known;
        }

        var mx = await _resolver.LookupMxAsync(key, cancellationToken).ConfigureAwait(false);
        _router.Remember(key, mx);
        return mx.Status switch
        {
            MxLookupStatus.Found => providers.LearnMx(key, mx.Exchangers[0].Host),
            MxLookupStatus.NoMx => providers.LearnMx(key, key),
            _ => null,
        };
    }

    public string NextHopKeyOf(string domain) => _router.NextHopKeyOf(domain);

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    private async Task<IReadOnlyList<RecipientResult>> DeliverAsync(
        RoutePlan plan, LoadedMessage message, DeliveryRequest request, CancellationToken cancellationToken)
    {
        foreach (var hop in plan.Hosts)
        {
            while (_pool.TryTake(hop, request.Pacing?.PoolKey) is { } pooled)
            {
                // This request's lease counts the connection now: the places it kept while idle go back.
                request.Pacing?.Lease?.UsingConnection(pooled.IdlePlace);
                pooled.IdlePlace = null;
                if (await ResetAsync(pooled, cancellationToken).ConfigureAwait(false))
                {
                    TransportLog.Reused(_logger, pooled.Hop.Host, pooled.RemoteEndPoint.Address, pooled.RemoteEndPoint.Port);
                    return await SendAsync(pooled, message, request, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        RemoteReply? temporary = null;
        RemoteReply? permanent = null;
        string? lastHost = null;
        IPEndPoint? lastEndPoint = null;
        var attempts = 0;
        request.Pacing?.Lease?.UsingConnection(null);
        if (request.Pacing is { } pacing && (pacing.CeilingKey is not null || pacing.GlobalCeiling))
        {
            // This request holds one of the ceiling's delivery slots; idle connections that count against the
            // same ceiling go first, so the new one never makes the open connections exceed it.
            await _pool.CloseIdleAsync(pacing.SharesCeilingWith).ConfigureAwait(false);
        }

        foreach (var hop in plan.Hosts)
        {
            var lookup = await _resolver.LookupAddressesAsync(hop.Host, cancellationToken).ConfigureAwait(false);
            if (lookup.Status != AddressLookupStatus.Found)
            {
                // RFC 5321 §5.1: no MX and no address record means the domain does not receive mail.
                var unresolved = plan.ImplicitMx && lookup.Status == AddressLookupStatus.NotFound
                    ? ReplyText.Local(550, "5.4.4", $"no MX and no address records for {hop.Host}: {lookup.Detail}")
                    : ReplyText.Local(451, "4.4.3", $"cannot resolve {hop.Host}: {lookup.Detail}");
                if (unresolved.IsPermanent)
                {
                    permanent = unresolved;
                }
                else
                {
                    temporary = unresolved;
                }

                TransportLog.HopFailed(_logger, hop.Host, unresolved);
                continue;
            }

            foreach (var address in lookup.Addresses)
            {
                if (attempts++ >= _options.MaxAddressesPerAttempt)
                {
                    break;
                }

                var endPoint = new IPEndPoint(address, hop.Port);
                var connected = await _connector.ConnectAsync(hop, endPoint, cancellationToken).ConfigureAwait(false);
                if (connected.Client is { } client)
                {
                    client.PoolKey = request.Pacing?.PoolKey;
                    TransportLog.Connected(_logger, hop.Host, address, hop.Port, client.IsSecure);
                    return await SendAsync(client, message, request, cancellationToken).ConfigureAwait(false);
                }

                var failure = connected.Failure!;
                TransportLog.AddressFailed(_logger, hop.Host, address, hop.Port, failure);
                lastHost = hop.Host;
                lastEndPoint = endPoint;
                if (failure.IsPermanent)
                {
                    permanent = failure;
                }
                else
                {
                    temporary = failure;
                }
            }
        }

        // A 5xx greeting from one host must not bounce mail another host might take later: only when no
        // host failed temporarily does a permanent reply decide.
        var reply = temporary ?? permanent ?? ReplyText.Local(451, "4.4.4", $"no host to deliver mail for {request.Domain} to");
        return Everyone(request, reply, lastHost, lastEndPoint);
    }

    private async Task<IReadOnlyList<RecipientResult>> SendAsync(
        RelayingSmtpClient client, LoadedMessage message, DeliveryRequest request, CancellationToken cancellationToken)
    {
        var keep = false;
        try
        {
            var outcome = await _transaction.SendAsync(client, message, request, cancellationToken).ConfigureAwait(false);
            var cap = request.Pacing?.MaxMessages is { } paced ? Math.Min(paced, _options.MaxMessagesPerConnection) : _options.MaxMessagesPerConnection;
            keep = outcome.ConnectionReusable && client.MessagesSent < cap;
            return outcome.Results;
        }
        finally
        {
            if (keep)
            {
                await _pool.ReturnAsync(client, KeepIdle).ConfigureAwait(false);
            }
            else
            {
                await SmtpConnectionPool.CloseAsync(client, _timeProvider).ConfigureAwait(false);
            }
        }

        // A connection kept open still counts at the provider: with ceilings shared by replicas it keeps its lease's
        // places while idle, or closes when another replica waits for one.
        bool KeepIdle()
        {
            if (request.Pacing?.Lease is not { } lease)
            {
                return true;
            }

            var kept = lease.TryKeepIdle(() => _pool.CloseIfIdleAsync(client), out var place);
            client.IdlePlace = place;
            return kept;
        }
    }

    private async Task<bool> ResetAsync(RelayingSmtpClient client, CancellationToken cancellationToken)
    {
        try
        {
            if (client.IsConnected && await client.ResetAsync(cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }
#pragma warning disable CA1031 // A pooled connection the server dropped is simply replaced.
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
        }

        await SmtpConnectionPool.CloseAsync(client, _timeProvider).ConfigureAwait(false);
        return false;
    }

    private static List<RecipientResult> Everyone(DeliveryRequest request, RemoteReply reply, string? host, IPEndPoint? endPoint) =>
        request.Recipients
            .Select(recipient => new RecipientResult(recipient, MessageTransaction.OutcomeOf(reply), reply, host, endPoint))
            .ToList();
}
