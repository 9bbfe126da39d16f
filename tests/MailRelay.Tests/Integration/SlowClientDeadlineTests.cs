using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailRelay.Tests.Integration;

/// <summary>
/// Slow clients ("slowloris") against the whole daemon: each test trickles bytes one at a time, 200 ms apart —
/// always within a 1-second idle timeout — for up to 30 seconds, and asserts that the daemon cut the connection
/// before the trickle was over. An idle timer alone would let every one of these trickles run to its end.
/// </summary>
public sealed class SlowClientDeadlineTests : IDisposable
{
    private const string UserName = "billing-app";
    private const string Password = "app password: 42";
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan TrickleLimit = TimeSpan.FromSeconds(30);

    private readonly TestDirectory _files = new();
    private readonly AuthCertificate _certificate;

    public SlowClientDeadlineTests()
    {
        _certificate = new AuthCertificate(_files);
    }

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task A_command_line_trickled_byte_by_byte_is_cut_with_421_and_closed()
    {
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?> { ["SMTP_COMMAND_TIMEOUT"] = "1s" });
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint);
        Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);

        var line = Encoding.ASCII.GetBytes("NOOP " + new string('x', 145));
        var reply = client.ReadReplyAsync();
        var sent = await TrickleAsync(client, line, reply);

        Assert.Equal("421 4.4.2 relay.test.example Error: timeout exceeded", await reply);
        Assert.True(sent < line.Length, $"the whole {line.Length}-byte line was trickled in without being cut");
        Assert.True(await client.IsClosedByServerAsync());
        await OutcomeCountedAsync(relay, "command_timeout");
    }

    [Fact]
    public async Task A_PROXY_header_trickled_byte_by_byte_is_cut_without_a_reply_and_logged()
    {
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["SMTP_LISTENERS"] = "127.0.0.1:0/proxy",
            ["PROXY_TRUSTED_PROXIES"] = "127.0.0.1/32",
            ["PROXY_HEADER_TIMEOUT"] = "1s",
        });
        await using var proxy = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint, IPAddress.Loopback);

        // A valid v1 header of 104 bytes: a per-read timer would let it complete after about 20 s.
        var header = Encoding.ASCII.GetBytes(
            "PROXY TCP6 2001:0db8:0000:0000:0000:0000:0000:0001 2001:0db8:0000:0000:0000:0000:0000:0002 65535 65535\r\n");
        var reply = proxy.ReadReplyAsync();
        var sent = await TrickleAsync(proxy, header, reply);

        Assert.Null(await reply);
        Assert.True(sent < header.Length, $"the whole {header.Length}-byte header was trickled in without being cut");
        await OutcomeCountedAsync(relay, "proxy_timeout");
        Assert.Contains("no complete PROXY header within", relay.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_STARTTLS_handshake_trickled_byte_by_byte_is_cut_and_closed()
    {
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["SMTP_COMMAND_TIMEOUT"] = "1s",
            ["TLS_CERT_FILE"] = _certificate.CertificateFile,
            ["TLS_KEY_FILE"] = _certificate.KeyFile,
        });
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint);
        Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("EHLO slow.example"), StringComparison.Ordinal);
        Assert.StartsWith("220 ", await client.CommandAsync("STARTTLS"), StringComparison.Ordinal);

        await HandshakeTrickledIsCutAsync(relay, client);
    }

    [Fact]
    public async Task An_implicit_TLS_handshake_trickled_byte_by_byte_is_cut_and_closed()
    {
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["SMTP_LISTENERS"] = "127.0.0.1:0/tls",
            ["SMTP_COMMAND_TIMEOUT"] = "1s",
            ["TLS_CERT_FILE"] = _certificate.CertificateFile,
            ["TLS_KEY_FILE"] = _certificate.KeyFile,
        });
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint);

        await HandshakeTrickledIsCutAsync(relay, client);
    }

    [Fact]
    public async Task An_AUTH_answer_trickled_byte_by_byte_is_cut_with_421_and_closed()
    {
        var users = Path.Combine(_files.Path, "users");
        await File.WriteAllTextAsync(users, $"{UserName}:{{PLAIN}}{Password}\n");
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?>
        {
            ["SMTP_COMMAND_TIMEOUT"] = "1s",
            ["SMTP_AUTH_ENABLED"] = "true",
            ["SMTP_AUTH_USERS_FILE"] = users,
            ["SMTP_AUTH_REQUIRE_TLS"] = "false",
        });
        await using var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint);
        Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("EHLO slow.example"), StringComparison.Ordinal);
        Assert.StartsWith("334 ", await client.CommandAsync("AUTH LOGIN"), StringComparison.Ordinal);

        var answer = Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(new string('u', 100))));
        var reply = client.ReadReplyAsync();
        var sent = await TrickleAsync(client, answer, reply);

        Assert.Equal("421 4.4.2 relay.test.example Error: timeout exceeded", await reply);
        Assert.True(sent < answer.Length, $"the whole {answer.Length}-byte answer was trickled in without being cut");
        Assert.True(await client.IsClosedByServerAsync());
        await OutcomeCountedAsync(relay, "auth_timeout");
    }

    /// <summary>
    /// Sends <paramref name="bytes"/> one at a time, <see cref="Gap"/> apart, until <paramref name="ended"/> (the
    /// server's reply or close) completes, the bytes run out or <see cref="TrickleLimit"/> passes; returns how
    /// many bytes were sent. The pacing is what is being tested, not a way of waiting for the server.
    /// </summary>
    private static async Task<int> TrickleAsync(RawSmtpClient client, byte[] bytes, Task ended)
    {
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (!ended.IsCompleted && sent < bytes.Length && clock.Elapsed < TrickleLimit)
        {
            try
            {
                await client.SendAsync(bytes[sent..(sent + 1)]);
            }
            catch (Exception exception) when (exception is IOException or SocketException)
            {
                break;
            }

            sent++;
            await Task.WhenAny(ended, Task.Delay(Gap));
        }

        await ended.WaitAsync(TimeSpan.FromSeconds(30));
        return sent;
    }

    /// <summary>
    /// A TLS record header announcing a 512-byte handshake message, then the start of a ClientHello: the server
    /// needs the whole record before it can answer, so each trickled byte keeps it waiting.
    /// </summary>
    /// <summary>Trickles a partial ClientHello: the server must close before the last byte, counted as <c>tls_timeout</c>.</summary>
    private static async Task HandshakeTrickledIsCutAsync(InProcessRelay relay, RawSmtpClient client)
    {
        var hello = PartialClientHello();
        var closed = client.IsClosedByServerAsync();
        var sent = await TrickleAsync(client, hello, closed);

        Assert.True(await closed);
        Assert.True(sent < hello.Length, $"all {hello.Length} bytes of the handshake record were trickled in without a cut");
        await OutcomeCountedAsync(relay, "tls_timeout");
    }

    private static byte[] PartialClientHello()
    {
        var record = new byte[5 + 512];
        record[0] = 0x16;
        record[1] = 0x03;
        record[2] = 0x01;
        record[3] = 0x02;
        record[4] = 0x00;
        record[5] = 0x01;
        record[6] = 0x00;
        record[7] = 0x01;
        record[8] = 0xFC;
        record[9] = 0x03;
        record[10] = 0x03;
        return record;
    }

    /// <summary>Waits (bounded) until the session-outcome counter shows one session ended with <paramref name="outcome"/>.</summary>
    private static async Task OutcomeCountedAsync(InProcessRelay relay, string outcome)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var samples = MetricSample.ParseAll(await relay.GetAdminAsync("/metrics"));
            var ended = samples.Where(s => s.Name == "mailrelay_smtp_sessions_ended_total").ToList();
            if (ended.Any(s => s.Labels["outcome"] == outcome && s.Value == 1))
            {
                return;
            }

            Assert.True(
                clock.Elapsed < TimeSpan.FromSeconds(30),
                $"no session ended as {outcome}: " + string.Join(", ", ended.Select(s => $"{s.Labels["outcome"]}={s.Value}")));
            await Task.Yield();
        }
    }
}
