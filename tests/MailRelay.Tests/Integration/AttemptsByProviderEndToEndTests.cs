using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>
/// <c>mailrelay_delivery_attempts_total</c> by provider, from the daemon as a process: <c>alpha.test</c> reaches the
/// fake provider through its MX record in a real dnsmasq (a provider only an MX lookup can tell, named in
/// RATE_LIMIT_DOMAINS), <c>gmail.com</c> and <c>unknown.test</c> go by DELIVERY_ROUTES to a recording next hop.
/// </summary>
public sealed class AttemptsByProviderEndToEndTests
{
    [Theory]
    [InlineData(true, "fakeprovider.test")]
    [InlineData(false, "other")]
    public async Task Each_delivery_counts_under_its_next_hops_provider_and_an_unknown_one_under_other(bool paced, string alphaProvider)
    {
        await using var network = await FakeProviderNetwork.StartAsync(messagesPerWindow: 1000, TimeSpan.FromSeconds(1), TimeSpan.Zero);
        await using var sink = await RecordingSmtpSink.StartAsync();
        using var data = new TestDirectory();
        var route = $"127.0.0.1:{sink.EndPoint.Port}";
        await using var daemon = await DaemonProcess.StartAsync(new Dictionary<string, string>
        {
            ["MAIL_HOSTNAME"] = "relay.test.example",
            ["SMTP_LISTENERS"] = "127.0.0.1:0",
            ["ADMIN_LISTEN"] = "127.0.0.1:0",
            ["DATA_DIR"] = data.Path,
            ["DKIM_ENABLED"] = "false",
            ["DNS_SERVERS"] = network.Dns.EndPoint.ToString(),
            ["DELIVERY_ROUTES"] = $$"""{"gmail.com":"{{route}}","unknown.test":"{{route}}"}""",
            ["RATE_LIMIT_ENABLED"] = paced ? "true" : "false",
            ["RATE_LIMIT_DOMAINS"] = $$$"""{"{{{FakeProviderNetwork.ProviderDomain}}}":{"maxConnections":2}}""",
        });

        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(daemon.SmtpEndPoint.Address.ToString(), daemon.SmtpEndPoint.Port, SecureSocketOptions.None);
            foreach (var recipient in new[] { $"user@{FakeProviderNetwork.AlphaDomain}", "user@gmail.com", "user@unknown.test" })
            {
                var message = new MimeMessage();
                message.From.Add(MailboxAddress.Parse("app@ours.example"));
                message.To.Add(MailboxAddress.Parse(recipient));
                message.Subject = "to " + recipient;
                message.Body = new TextPart("plain") { Text = "body\r\n" };
                await client.SendAsync(message);
            }

            await client.DisconnectAsync(quit: true);
        }

        var metrics = await AdminClient.MetricsWhenAsync(
            daemon, samples => samples.Where(IsAttempt).Sum(s => s.Value) >= 3, TimeSpan.FromSeconds(60));

        Assert.Single(network.Provider.Accepted);
        Assert.Equal(2, sink.Received.Count);
        var expected = new[] { ("sent", alphaProvider), ("sent", "google.com"), ("sent", "other") }
            .GroupBy(pair => pair).Select(group => (group.Key.Item1, group.Key.Item2, (double)group.Count())).Order();
        Assert.Equal(expected, metrics.Where(IsAttempt).Select(s => (s.Labels["outcome"], s.Labels["provider"], s.Value)).Order());
    }

    private static bool IsAttempt(MetricSample sample) => sample.Name == "mailrelay_delivery_attempts_total";
}
