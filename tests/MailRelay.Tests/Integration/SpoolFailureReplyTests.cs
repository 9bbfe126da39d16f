using System.Text;

namespace MailRelay.Tests.Integration;

/// <summary>
/// A disk that fills up while a message is written is a temporary failure for the client, <c>452 4.3.1</c>
/// (RFC 3463: mail system full), never a lost or half-written message; any other spool failure stays
/// <c>451 4.3.0</c>. The session, and the daemon, go on.
/// </summary>
public class SpoolFailureReplyTests
{
    private static string Body(int bytes)
    {
        var line = new string('y', 70) + "\r\n";
        return "Subject: disk\r\n\r\n" + string.Concat(Enumerable.Repeat(line, bytes / line.Length));
    }

    private static async Task<RawSmtpClient> GreetedClientAsync(InProcessRelay relay)
    {
        var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint);
        Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("EHLO client.example"), StringComparison.Ordinal);
        return client;
    }

    /// <summary>MAIL FROM without SIZE=, so the message gets as far as the disk; returns the reply to the final dot.</summary>
    private static async Task<string?> SendAsync(RawSmtpClient client, string body)
    {
        Assert.StartsWith("250 ", await client.CommandAsync("MAIL FROM:<app@ours.example>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await client.CommandAsync("RCPT TO:<someone@elsewhere.example>"), StringComparison.Ordinal);
        Assert.StartsWith("354 ", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        await client.SendAsync(Encoding.ASCII.GetBytes(body + ".\r\n"));
        return await client.ReadReplyAsync();
    }

    [Fact]
    public async Task Disk_filling_during_data_answers_452_leaves_nothing_and_the_same_and_other_sessions_go_on()
    {
        using var outer = new TestDirectory();
        using var tmpfs = new TmpfsMount(Path.Combine(outer.Path, "tiny"), "512k");
        var dataDirectory = Path.Combine(tmpfs.Path, "data");
        await using var relay = await InProcessRelay.StartAsync(
            new Dictionary<string, string?> { ["DATA_DIR"] = dataDirectory, ["SPOOL_MIN_FREE_SPACE"] = "64K" });
        await using var client = await GreetedClientAsync(relay);

        var refused = await SendAsync(client, Body(1024 * 1024));

        Assert.Equal("452 4.3.1 Insufficient system storage", refused);
        Assert.Empty(Directory.GetFiles(Path.Combine(dataDirectory, "queue", "incoming")));
        Assert.Empty(Directory.GetFiles(Path.Combine(dataDirectory, "queue", "active")));
        var refusals = MetricSample.ParseAll(await relay.GetAdminAsync("/metrics"))
            .Single(s => s.Name == "mailrelay_spool_storage_refusals_total" && s.Labels["stage"] == "data");
        Assert.Equal(1, refusals.Value);

        // The same session goes on, and a message that fits is accepted; so is one from another session.
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await SendAsync(client, Body(4096)), StringComparison.Ordinal);
        await using var other = await GreetedClientAsync(relay);
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await SendAsync(other, Body(4096)), StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(dataDirectory, "queue", "active"), "*.msg").Length);
    }

    [Fact]
    public async Task A_spool_failure_that_is_not_a_full_disk_stays_451_4_3_0()
    {
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?> { ["SPOOL_MIN_FREE_SPACE"] = "0" });
        await using var client = await GreetedClientAsync(relay);
        var incoming = Path.Combine(relay.Data.Path, "queue", "incoming");
        Directory.Delete(incoming);

        // Over the writer's buffer: a message with a queue file of its own, started in incoming/.
        var refused = await SendAsync(client, Body(128 * 1024));

        Assert.Equal("451 4.3.0 Error: queue file write error, try again later", refused);
        Directory.CreateDirectory(incoming);
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await SendAsync(client, Body(128 * 1024)), StringComparison.Ordinal);
    }
}
