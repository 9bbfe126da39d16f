using MailRelay.Configuration;
using MailRelay.Delivery;
using MailRelay.Delivery.Transport;

namespace MailRelay.Tests.Delivery.Transport;

public sealed class SmarthostTests : IDisposable
{
    private const string Domain = "anywhere.test";
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _certificate = TestCertificate.CreateForLoopback();
    private readonly TestQueueFile _file = TestQueueFile.Create("Subject: via smarthost\r\n\r\nbody\r\n");

    [Fact]
    public async Task Required_tls_with_a_trusted_certificate_delivers_after_starttls_and_auth()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour { Certificate = _certificate, Credentials = ("relay-user", "s3cret") });
        await using var transport = TransportFactory.Create(Options(server, RelayTlsMode.Required, TestCertificate.Trusting(_certificate)));

        var results = await transport.DeliverAsync(new DeliveryRequest(_file.Entry, Domain, ["a@anywhere.test"]), CancellationToken.None);

        var result = Assert.Single(results);
        Assert.Equal(RecipientOutcome.Delivered, result.Outcome);
        var received = Assert.Single(server.Messages);
        Assert.True(received.OverTls);
        Assert.Equal("relay-user", received.AuthenticatedUser);
        var commands = server.Commands.ToList();
        Assert.True(commands.IndexOf("STARTTLS") < commands.FindIndex(command => command.StartsWith("AUTH", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Required_tls_with_an_untrusted_certificate_defers_and_never_sends_credentials()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour { Certificate = _certificate, Credentials = ("relay-user", "s3cret") });
        await using var transport = TransportFactory.Create(Options(server, RelayTlsMode.Required, validation: null));

        var results = await transport.DeliverAsync(new DeliveryRequest(_file.Entry, Domain, ["a@anywhere.test"]), CancellationToken.None);

        var result = Assert.Single(results);
        Assert.Equal(RecipientOutcome.Deferred, result.Outcome);
        Assert.Equal("4.7.5", result.Reply.EnhancedCode);
        Assert.DoesNotContain(server.Commands, command => command.StartsWith("AUTH", StringComparison.Ordinal));
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task Required_tls_to_a_host_without_starttls_defers()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour { Credentials = ("relay-user", "s3cret") });
        await using var transport = TransportFactory.Create(Options(server, RelayTlsMode.Required, TestCertificate.Trusting(_certificate)));

        var results = await transport.DeliverAsync(new DeliveryRequest(_file.Entry, Domain, ["a@anywhere.test"]), CancellationToken.None);

        var result = Assert.Single(results);
        Assert.Equal(RecipientOutcome.Deferred, result.Outcome);
        Assert.Equal("4.7.4", result.Reply.EnhancedCode);
        Assert.DoesNotContain(server.Commands, command => command.StartsWith("AUTH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tls_none_never_starts_tls_even_when_offered()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour { Certificate = _certificate });
        await using var transport = TransportFactory.Create(Options(server, RelayTlsMode.None, validation: null, withCredentials: false));

        var results = await transport.DeliverAsync(new DeliveryRequest(_file.Entry, Domain, ["a@anywhere.test"]), CancellationToken.None);

        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(results).Outcome);
        Assert.DoesNotContain("STARTTLS", server.Commands);
        Assert.False(Assert.Single(server.Messages).OverTls);
    }

    [Fact]
    public async Task Opportunistic_tls_uses_starttls_whatever_the_certificate()
    {
        await using var server = FakeSmtpServer.StartOnLoopback(new FakeSmtpBehaviour { Certificate = _certificate });
        await using var transport = TransportFactory.Create(Options(server, RelayTlsMode.Opportunistic, validation: null, withCredentials: false));

        var results = await transport.DeliverAsync(new DeliveryRequest(_file.Entry, Domain, ["a@anywhere.test"]), CancellationToken.None);

        Assert.Equal(RecipientOutcome.Delivered, Assert.Single(results).Outcome);
        Assert.True(Assert.Single(server.Messages).OverTls);
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _file.Dispose();
    }

    private static SmtpTransportOptions Options(
        FakeSmtpServer server, RelayTlsMode tls, System.Net.Security.RemoteCertificateValidationCallback? validation, bool withCredentials = true) => new()
        {
            HostName = "relay.origin.test",
            RelayHost = server.EndPoint.Address.ToString(),
            RelayPort = server.EndPoint.Port,
            RelayTls = tls,
            RelayCredentials = withCredentials ? new RelayCredentials("relay-user", "s3cret") : null,
            RelayCertificateValidation = validation,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            CommandTimeout = TimeSpan.FromSeconds(10),
            TransactionTimeout = TimeSpan.FromSeconds(10),
        };
}
