using System.Net;

namespace MailRelay.Tests.Integration;

/// <summary>
/// Invariant 2 through the PROXY protocol: the header's source is the client only when the TCP peer is a
/// trusted proxy; anyone else who sends one is refused.
/// </summary>
public class ProxyTrustTests
{
    private static Task<InProcessRelay> StartAsync() => InProcessRelay.StartAsync(new Dictionary<string, string?>
    {
        ["SMTP_LISTENERS"] = "127.0.0.1:0/proxy",
        ["PROXY_TRUSTED_PROXIES"] = "127.0.0.1/32",
        ["TRUSTED_NETWORKS"] = "198.51.100.0/24",
    });

    [Fact]
    public async Task Header_from_trusted_proxy_makes_its_source_the_client_for_policy_and_trace()
    {
        await using var relay = await StartAsync();
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint, IPAddress.Loopback);
        await client.SendAsync("PROXY TCP4 198.51.100.7 192.0.2.1 40000 25\r\n");
        Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        await client.CommandAsync("EHLO app.example");
        Assert.StartsWith("250 ", await client.CommandAsync("MAIL FROM:<app@ours.example>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await client.CommandAsync("RCPT TO:<someone@elsewhere.example>"), StringComparison.Ordinal);
        Assert.StartsWith("354 ", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await client.CommandAsync("Subject: via proxy\r\n\r\nbody\r\n."), StringComparison.Ordinal);

        var stored = Assert.Single(relay.Data.QueuedMessages()).Text;
        Assert.Contains("(unknown [198.51.100.7])", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trusted_proxy_forwarding_an_untrusted_client_cannot_relay()
    {
        await using var relay = await StartAsync();
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint, IPAddress.Loopback);
        await client.SendAsync("PROXY TCP4 203.0.113.9 192.0.2.1 40000 25\r\n");
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO outside.example");
        await client.CommandAsync("MAIL FROM:<x@outside.example>");
        Assert.StartsWith("554 5.7.1", await client.CommandAsync("RCPT TO:<victim@gmail.com>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forged_header_from_an_untrusted_peer_is_refused_and_the_connection_closed()
    {
        await using var relay = await StartAsync();
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint, IPAddress.Parse("127.0.0.2"));
        Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        var reply = await client.CommandAsync("PROXY TCP4 198.51.100.7 192.0.2.1 40000 25");
        Assert.StartsWith("554 5.7.0", reply, StringComparison.Ordinal);
        Assert.True(await client.IsClosedByServerAsync());
        Assert.Empty(relay.Data.QueuedFiles());
    }

    [Fact]
    public async Task Trusted_proxy_that_sends_no_header_is_disconnected_before_any_dialogue()
    {
        await using var relay = await StartAsync();
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint, IPAddress.Loopback);
        await client.SendAsync("EHLO sneaky.example\r\n");
        Assert.Null(await client.ReadReplyAsync());
    }
}
