using System.Net.Security;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

public class StartTlsTests
{
    [Fact]
    public async Task STARTTLS_is_advertised_only_with_a_certificate()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        await using var withCertificate = await SmtpTestConnection.StartGreetedAsync(new SmtpServerOptions { HostName = "mx.test", Certificate = certificate });
        await using var without = await SmtpTestConnection.StartGreetedAsync();

        Assert.Contains((await withCertificate.CommandAsync("EHLO c.example")).Lines, l => l[4..] == "STARTTLS");
        Assert.DoesNotContain((await without.CommandAsync("EHLO c.example")).Lines, l => l.Contains("STARTTLS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Commands_pipelined_behind_STARTTLS_are_refused_and_the_session_closed()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(new SmtpServerOptions { HostName = "mx.test", Certificate = certificate });
        await connection.CommandAsync("EHLO c.example");

        await connection.SendAsync("STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n");

        Assert.Equal([(554, "5.5.1")], (await connection.ReadAllRepliesAsync()).Select(r => (r.Code, r.EnhancedCode)));
        Assert.Equal(SessionOutcome.ProtocolViolation, (await connection.Completion).Outcome);
        Assert.Empty(connection.Handler.MailFroms);
    }

    [Fact]
    public async Task After_the_handshake_the_session_starts_over_encrypted()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(new SmtpServerOptions { HostName = "mx.test", Certificate = certificate }, handler);
        await connection.CommandAsync("EHLO c.example");
        Assert.Equal((220, "2.0.0"), ((await connection.CommandAsync("STARTTLS")).Code, "2.0.0"));

        await using var tls = new SslStream(
            new DuplexPipeStream(connection.ClientInput, connection.ClientOutput),
            false,
            (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString());
        await tls.AuthenticateAsClientAsync("mx.test");

        Assert.Equal(503, (await TlsTestClient.CommandAsync(tls, "MAIL FROM:<a@example.org>"))[0].Code());
        var ehlo = await TlsTestClient.CommandAsync(tls, "EHLO c.example");
        Assert.DoesNotContain(ehlo, l => l.Contains("STARTTLS", StringComparison.Ordinal));
        Assert.Equal(503, (await TlsTestClient.CommandAsync(tls, "STARTTLS"))[0].Code());
        Assert.Equal(250, (await TlsTestClient.CommandAsync(tls, "MAIL FROM:<a@example.org>"))[0].Code());
        Assert.Equal(250, (await TlsTestClient.CommandAsync(tls, "RCPT TO:<b@example.org>"))[0].Code());
        Assert.Equal(354, (await TlsTestClient.CommandAsync(tls, "DATA"))[0].Code());
        Assert.Equal(250, (await TlsTestClient.CommandAsync(tls, "secret body\r\n."))[0].Code());
        Assert.Equal(221, (await TlsTestClient.CommandAsync(tls, "QUIT"))[0].Code());

        Assert.Equal(SessionOutcome.Quit, (await connection.Completion).Outcome);
        Assert.True(connection.Context.IsSecure);
        Assert.NotNull(connection.Context.TlsDescription);
        Assert.Equal("secret body\r\n", handler.Completed.Single().Text);
    }

    [Fact]
    public async Task A_handshake_trickled_in_is_cut_when_the_whole_handshake_outlasts_its_timeout()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        var time = new TimerCountingTimeProvider();
        var options = new SmtpServerOptions { HostName = "mx.test", Certificate = certificate, TlsHandshakeTimeout = TimeSpan.FromSeconds(30) };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, time: time);
        var timers = time.TimersCreated;
        Assert.Equal(220, (await connection.CommandAsync("STARTTLS")).Code);

        // The start of a 512-byte handshake record, in pieces each well within the timeout of the last.
        await time.WaitForTimersAsync(timers + 1);
        await connection.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 });
        time.Advance(TimeSpan.FromSeconds(20));
        await connection.SendAsync(new byte[] { 0x01, 0x00, 0x01, 0xFC });
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(SessionOutcome.TlsTimeout, (await connection.Completion.WaitAsync(TimeSpan.FromSeconds(30))).Outcome);
    }

    [Fact]
    public async Task A_failed_handshake_ends_the_session_as_TlsFailed()
    {
        using var certificate = TestCertificates.CreateSelfSigned();
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(new SmtpServerOptions { HostName = "mx.test", Certificate = certificate }, handler);
        Assert.Equal(220, (await connection.CommandAsync("STARTTLS")).Code);

        await connection.SendAsync("this is not a TLS ClientHello\r\n");
        await connection.ClientOutput.CompleteAsync();

        Assert.Equal(SessionOutcome.TlsFailed, (await connection.Completion.WaitAsync(TimeSpan.FromSeconds(30))).Outcome);
        Assert.Single(handler.Summaries);
    }
}
