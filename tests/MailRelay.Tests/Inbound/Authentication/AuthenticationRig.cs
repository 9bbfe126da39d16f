using System.Net;
using DnsClient;
using MailRelay.Configuration;
using MailRelay.Dns;
using MailRelay.Inbound;
using MailRelay.Inbound.Authentication;
using MailRelay.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace MailRelay.Tests.Inbound.Authentication;

/// <summary>A <see cref="MessageAuthenticator"/> asking the given DNS server, with its own metrics registry.</summary>
internal sealed class AuthenticationRig
{
    public const string HostName = "mx.relay.test";
    private static readonly PublicSuffixList Suffixes = PublicSuffixList.LoadEmbedded(icannOnly: false);

    public AuthenticationRig(IPEndPoint dnsServer, InboundSecuritySettings? settings = null, TimeSpan? dnsTimeout = null, TimeSpan? deadline = null)
    {
        Dns = DnsLookupClientFactory.Create([dnsServer], dnsTimeout ?? DnsLookupClientFactory.DefaultTimeout);
        Authenticator = new MessageAuthenticator(
            settings ?? InboundSecuritySettings.Default,
            HostName,
            Dns,
            Suffixes,
            new InboundAuthenticationMetrics(Registry),
            Time,
            NullLogger<MessageAuthenticator>.Instance,
            deadline: deadline);
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    /// <summary>The verifier's clock: only its deadline reads it.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-12-06T07:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public ILookupClient Dns { get; }

    public MessageAuthenticator Authenticator { get; }

    public Task<AuthenticationVerdict> VerifyAsync(string mailFrom, byte[] message, string? helo = "client.example.test", string client = AuthenticationDnsFixture.ClientAddress)
    {
        var stream = new MemoryStream(message, writable: false);
        return Authenticator.VerifyAsync(new AuthenticationRequest(IPAddress.Parse(client), helo, mailFrom, stream), CancellationToken.None);
    }

    /// <summary>The value of one sample of the registry, 0 when absent.</summary>
    public async Task<double> SampleAsync(string name, params (string Label, string Value)[] labels)
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        return Integration.MetricSample.ParseAll(text)
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value))
            .Select(s => s.Value)
            .SingleOrDefault();
    }
}
