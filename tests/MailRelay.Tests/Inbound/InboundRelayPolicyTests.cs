using System.Net;
using MailRelay.Configuration;
using MailRelay.Inbound;
using MailRelay.Policy;
using MailRelay.Smtp.Session;
using MailRelay.Tests.Integration;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Inbound;

/// <summary>
/// Invariant 2 with the feedback addresses open: anyone may write to them, and to nothing else; the relay refusals of
/// RelayAcceptanceTests and ProxyTrustTests hold unchanged with INBOUND_ENABLED.
/// </summary>
public class InboundRelayPolicyTests
{
    private static readonly Dictionary<string, string?> Inbound = new()
    {
        ["TRUSTED_NETWORKS"] = "127.0.0.1/32",
        ["MAIL_DOMAINS"] = "ours.example",
        ["INBOUND_ENABLED"] = "true",
    };

    private static Task<InProcessRelay> StartAsync(params (string Name, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>(Inbound);
        foreach (var (name, value) in more)
        {
            settings[name] = value;
        }

        return InProcessRelay.StartAsync(settings);
    }

    private static async Task<RawSmtpClient> UntrustedAsync(InProcessRelay relay)
    {
        var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint, IPAddress.Parse("127.0.0.2"));
        Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("EHLO mx.remote.example"), StringComparison.Ordinal);
        return client;
    }

    private static string[] Kept(InProcessRelay relay)
    {
        var directory = Path.Combine(relay.Data.Path, "inbound");
        return Directory.Exists(directory) ? Directory.GetFiles(directory, "*.eml") : [];
    }

    [Fact]
    public async Task Untrusted_client_cannot_relay_and_nothing_is_spooled_or_kept_with_inbound_on()
    {
        await using var relay = await StartAsync();
        await using var client = await UntrustedAsync(relay);
        Assert.StartsWith("250 ", await client.CommandAsync("MAIL FROM:<attacker@evil.example>"), StringComparison.Ordinal);
        Assert.Equal("554 5.7.1 <victim@gmail.com>: Relay access denied", await client.CommandAsync("RCPT TO:<victim@gmail.com>"));
        Assert.StartsWith("554 5.5.1", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        Assert.StartsWith("221 ", await client.CommandAsync("QUIT"), StringComparison.Ordinal);

        Assert.Empty(relay.Data.QueuedFiles());
        Assert.Empty(Kept(relay));
        Assert.Contains("relay denied", relay.Log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("boss@ours.example")]
    [InlineData("postmaster@elsewhere.example")]
    [InlineData("postmaster@sub.ours.example")]
    [InlineData("postmaster.ours.example@gmail.com")]
    [InlineData("fbl-x@ours.example")]
    public async Task Other_local_parts_at_our_domain_and_feedback_local_parts_elsewhere_need_the_relay_permission(string recipient)
    {
        await using var relay = await StartAsync();
        await using var client = await UntrustedAsync(relay);
        await client.CommandAsync("MAIL FROM:<x@outside.example>");

        Assert.Equal($"554 5.7.1 <{recipient}>: Relay access denied", await client.CommandAsync($"RCPT TO:<{recipient}>"));
    }

    [Fact]
    public async Task Trusted_proxy_forwarding_an_untrusted_client_cannot_relay_with_inbound_on_but_reaches_postmaster()
    {
        await using var relay = await StartAsync(("SMTP_LISTENERS", "127.0.0.1:0/proxy"), ("PROXY_TRUSTED_PROXIES", "127.0.0.1/32"), ("TRUSTED_NETWORKS", "198.51.100.0/24"));
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint, IPAddress.Loopback);
        await client.SendAsync("PROXY TCP4 203.0.113.9 192.0.2.1 40000 25\r\n");
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO outside.example");
        await client.CommandAsync("MAIL FROM:<x@outside.example>");

        Assert.StartsWith("554 5.7.1", await client.CommandAsync("RCPT TO:<victim@gmail.com>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await client.CommandAsync("RCPT TO:<postmaster@ours.example>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_addresses_are_taken_from_an_untrusted_client_and_the_mail_kept_not_queued()
    {
        await using var relay = await StartAsync();
        await using var client = await UntrustedAsync(relay);
        Assert.StartsWith("250 ", await client.CommandAsync("MAIL FROM:<someone@remote.example>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await client.CommandAsync("RCPT TO:<Abuse@Ours.Example>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await client.CommandAsync("RCPT TO:<postmaster@ours.example>"), StringComparison.Ordinal);
        Assert.StartsWith("354 ", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0 Ok: kept as ", await client.CommandAsync("Subject: spam from you\r\n\r\nstop it\r\n."), StringComparison.Ordinal);

        Assert.Empty(relay.Data.QueuedFiles());
        var kept = await File.ReadAllTextAsync(Assert.Single(Kept(relay)));
        Assert.StartsWith("Return-Path: <someone@remote.example>\r\nDelivered-To: Abuse@Ours.Example, postmaster@ours.example\r\nAuthentication-Results: relay.test.example;", kept, StringComparison.Ordinal);
        Assert.Contains("\r\nReceived: from mx.remote.example (unknown [127.0.0.2])", kept, StringComparison.Ordinal);
        Assert.EndsWith("\r\nSubject: spam from you\r\n\r\nstop it\r\n", kept, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(relay.Data.Path, "inbound", ".incoming")));
    }

    [Fact]
    public async Task A_trusted_client_writing_to_postmaster_reaches_the_feedback_address_too()
    {
        await using var relay = await StartAsync();
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint, IPAddress.Loopback);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO app.example");
        await client.CommandAsync("MAIL FROM:<app@ours.example>");
        await client.CommandAsync("RCPT TO:<postmaster@ours.example>");
        await client.CommandAsync("DATA");

        Assert.StartsWith("250 2.0.0 Ok: kept as ", await client.CommandAsync("Subject: hello\r\n\r\nhi\r\n."), StringComparison.Ordinal);
        Assert.Empty(relay.Data.QueuedFiles());
    }

    [Fact]
    public async Task With_inbound_off_postmaster_at_our_domain_is_relayed_under_the_relay_rules_as_before()
    {
        await using var relay = await StartAsync(("INBOUND_ENABLED", "false"));
        await using var client = await UntrustedAsync(relay);
        await client.CommandAsync("MAIL FROM:<x@outside.example>");

        Assert.StartsWith("554 5.7.1", await client.CommandAsync("RCPT TO:<postmaster@ours.example>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_vERP_return_paths_issued_a_bounce_address_is_refused_550()
    {
        await using var relay = await StartAsync();
        await using var client = await UntrustedAsync(relay);
        await client.CommandAsync("MAIL FROM:<>");

        Assert.StartsWith("550 5.7.1 <bounce+abc@ours.example>", await client.CommandAsync("RCPT TO:<bounce+abc@ours.example>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relayed_recipient_after_a_feedback_one_gets_452_and_goes_in_its_own_transaction()
    {
        await using var relay = await StartAsync();
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint, IPAddress.Loopback);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO app.example");
        await client.CommandAsync("MAIL FROM:<app@ours.example>");
        Assert.StartsWith("250 ", await client.CommandAsync("RCPT TO:<someone@elsewhere.example>"), StringComparison.Ordinal);
        Assert.StartsWith("452 4.5.3 <postmaster@ours.example>", await client.CommandAsync("RCPT TO:<postmaster@ours.example>"), StringComparison.Ordinal);
        await client.CommandAsync("DATA");
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await client.CommandAsync("Subject: x\r\n\r\ny\r\n."), StringComparison.Ordinal);

        await client.CommandAsync("MAIL FROM:<app@ours.example>");
        Assert.StartsWith("250 ", await client.CommandAsync("RCPT TO:<postmaster@ours.example>"), StringComparison.Ordinal);
        Assert.StartsWith("452 4.5.3 <someone@elsewhere.example>", await client.CommandAsync("RCPT TO:<someone@elsewhere.example>"), StringComparison.Ordinal);

        var entry = Assert.Single(new MailRelay.Queue.QueueReader(relay.Data.Path).ReadCommitted().Entries);
        Assert.Equal(["someone@elsewhere.example"], entry.Envelope.Recipients);
    }

    [Fact]
    public async Task An_untrusted_client_mixing_in_a_relayed_recipient_gets_the_relay_refusal_not_452()
    {
        await using var relay = await StartAsync();
        await using var client = await UntrustedAsync(relay);
        await client.CommandAsync("MAIL FROM:<x@outside.example>");
        Assert.StartsWith("250 ", await client.CommandAsync("RCPT TO:<postmaster@ours.example>"), StringComparison.Ordinal);

        Assert.StartsWith("554 5.7.1", await client.CommandAsync("RCPT TO:<victim@gmail.com>"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bounce+tok42@ours.example", null)]
    [InlineData("bounce+forged@ours.example", "550 5.7.1 <bounce+forged@ours.example>: Recipient address rejected: not a return path of ours")]
    [InlineData("bounce+expired1@ours.example", "550 5.7.1 <bounce+expired1@ours.example>: Recipient address rejected: return path expired")]
    [InlineData("bounce+bad@ours.example", "550 5.7.1 <bounce+bad@ours.example>: Recipient address rejected: malformed return path")]
    [InlineData("postmaster@ours.example", null)]
    public void A_return_path_is_taken_only_when_the_verifier_finds_it_ours_and_in_date(string recipient, string? expected)
    {
        var settings = new InboundSettings
        {
            Enabled = true,
            Recipients = [new InboundRecipientPattern("postmaster", false), new InboundRecipientPattern("bounce+", true)],
            ForwardTo = null,
            DmarcReports = InboundSettings.Disabled.DmarcReports,
        };
        var routing = new InboundRouting(
            new InboundAddresses(settings, ["ours.example"]),
            new TokenTableVerifier().Issue("tok42", "Q42", "jane@remote.example"),
            new FakeTimeProvider(InboundHarness.Now));

        Assert.Equal(RecipientRoute.Inbound, routing.Route(recipient));
        Assert.Equal(expected, routing.CheckInbound(recipient, out _)?.ToString());
    }

    [Fact]
    public void The_route_of_a_transaction_is_that_of_its_first_recipient()
    {
        var settings = new InboundSettings
        {
            Enabled = true,
            Recipients = [new InboundRecipientPattern("postmaster", false)],
            ForwardTo = null,
            DmarcReports = InboundSettings.Disabled.DmarcReports,
        };
        var routing = new InboundRouting(new InboundAddresses(settings, ["ours.example"]), null, TimeProvider.System);
        var transaction = new MailTransaction("x@outside.example");

        Assert.Null(routing.RouteOf(transaction));
        transaction.Recipients.Add("postmaster@ours.example");
        Assert.Equal(RecipientRoute.Inbound, routing.RouteOf(transaction));
    }
}
