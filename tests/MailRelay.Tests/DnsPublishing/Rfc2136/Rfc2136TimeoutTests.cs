using System.Net;
using System.Net.Sockets;
using MailRelay.Configuration;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Rfc2136;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.DnsPublishing.Rfc2136;

/// <summary>A server that takes the question and never answers: the exchange ends on the injected clock.</summary>
public sealed class Rfc2136TimeoutTests
{
    [Fact]
    public async Task A_server_that_never_answers_fails_once_the_exchange_time_has_passed()
    {
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var server = (IPEndPoint)silent.Client.LocalEndPoint!;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var provider = new Rfc2136DnsProvider(
            new Rfc2136Settings { Server = server, TsigKeyName = null, TsigAlgorithm = "hmac-sha256", TsigSecret = [] },
            time,
            new RecordingLogger<Rfc2136DnsProvider>());

        var apply = provider.ApplyAsync([DnsChange.Create(new("mail.example.com", DnsRecordType.A, "192.0.2.1", 300))], CancellationToken.None);
        await silent.ReceiveAsync();
        Assert.False(apply.IsCompleted);
        time.Advance(PrimaryServer.ExchangeTimeout);

        var failure = await Assert.ThrowsAsync<DnsProviderException>(() => apply);
        Assert.Contains($"SOA query for mail.example.com: no answer from {server}", failure.Message, StringComparison.Ordinal);
    }
}
