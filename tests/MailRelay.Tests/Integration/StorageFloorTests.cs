using System.Globalization;
using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Integration;

/// <summary>
/// SPOOL_MIN_FREE_SPACE on a real, small file system (a tmpfs under DATA_DIR): below the floor nobody starts a
/// message (452 4.3.1 at MAIL FROM) and the relay is not ready; once space returns mail is taken again without a
/// restart. The daemon runs on a fake clock, so the free-space cache ages only when a test says so.
/// </summary>
public sealed class StorageFloorTests
{
    private const long Floor = 1024 * 1024;

    [Fact]
    public async Task Mail_from_below_the_floor_gets_452_and_mail_is_taken_again_once_space_returns_without_restart()
    {
        await using var disk = await SmallDisk.StartAsync();
        await using var client = await GreetedClientAsync(disk.Relay);
        using (DiskFiller.Leaving(disk.Path, Floor / 2))
        {
            disk.Time.Advance(TimeSpan.FromSeconds(1));

            var refused = await client.CommandAsync("MAIL FROM:<app@ours.example>");

            Assert.Equal("452 4.3.1 Insufficient system storage", refused);
            // The session goes on: the next command is answered normally.
            Assert.StartsWith("250", await client.CommandAsync("NOOP"), StringComparison.Ordinal);
        }

        disk.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.StartsWith("250 ", await client.CommandAsync("MAIL FROM:<app@ours.example>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", await client.CommandAsync("RCPT TO:<someone@elsewhere.example>"), StringComparison.Ordinal);
        Assert.StartsWith("354 ", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        var accepted = await client.CommandAsync("Subject: space again\r\n\r\nhello\r\n.");
        Assert.StartsWith("250 2.0.0 Ok: queued as ", accepted, StringComparison.Ordinal);
        Assert.Equal(1, await RefusalsAsync(disk.Relay, "mail_from"));
    }

    [Fact]
    public async Task A_declared_size_that_would_go_below_the_floor_is_refused_at_mail_from()
    {
        await using var disk = await SmallDisk.StartAsync();
        await using var client = await GreetedClientAsync(disk.Relay);
        var room = DiskFiller.AvailableBytes(disk.Path) - Floor;

        var tooBig = await client.CommandAsync($"MAIL FROM:<app@ours.example> SIZE={room + 64 * 1024}");
        var fits = await client.CommandAsync($"MAIL FROM:<app@ours.example> SIZE={room - 64 * 1024}");

        Assert.Equal("452 4.3.1 Insufficient system storage", tooBig);
        Assert.StartsWith("250 ", fits, StringComparison.Ordinal);
        Assert.Equal(1, await RefusalsAsync(disk.Relay, "mail_from"));
    }

    [Fact]
    public async Task Readiness_is_503_naming_the_disk_while_below_the_floor_and_200_again_once_space_returns_while_liveness_stays_ok()
    {
        await using var disk = await SmallDisk.StartAsync();
        using (DiskFiller.Leaving(disk.Path, Floor / 2))
        {
            var notReady = await disk.Relay.GetAdminResponseAsync("/readyz");
            var live = await disk.Relay.GetAdminResponseAsync("/healthz");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            var detail = await notReady.Content.ReadAsStringAsync();
            Assert.Contains("disk full", detail, StringComparison.Ordinal);
            Assert.Contains(disk.DataDirectory, detail, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        var ready = await disk.Relay.GetAdminResponseAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_free_space_metric_is_what_the_file_system_reports_and_the_floor_is_exported()
    {
        await using var disk = await SmallDisk.StartAsync();
        using var filler = DiskFiller.Leaving(disk.Path, 3 * Floor / 2);
        var before = DiskFiller.AvailableBytes(disk.Path);

        var samples = MetricSample.ParseAll(await disk.Relay.GetAdminAsync("/metrics"));

        Assert.Equal(before, DiskFiller.AvailableBytes(disk.Path));
        Assert.Equal(before, samples.Single(s => s.Name == "mailrelay_spool_free_bytes").Value);
        Assert.Equal(Floor, samples.Single(s => s.Name == "mailrelay_spool_min_free_bytes").Value);
        File.Delete(filler.Path);
        var freed = MetricSample.ParseAll(await disk.Relay.GetAdminAsync("/metrics"));
        Assert.Equal(DiskFiller.AvailableBytes(disk.Path), freed.Single(s => s.Name == "mailrelay_spool_free_bytes").Value);
        Assert.True(freed.Single(s => s.Name == "mailrelay_spool_free_bytes").Value > before);
    }

    private static async Task<RawSmtpClient> GreetedClientAsync(InProcessRelay relay)
    {
        var client = await RawSmtpClient.ConnectAsync(relay.SmtpEndPoint);
        Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("EHLO client.example"), StringComparison.Ordinal);
        return client;
    }

    private static async Task<double> RefusalsAsync(InProcessRelay relay, string stage) =>
        MetricSample.ParseAll(await relay.GetAdminAsync("/metrics"))
            .Single(s => s.Name == "mailrelay_spool_storage_refusals_total" && s.Labels["stage"] == stage).Value;

    /// <summary>The daemon with DATA_DIR on a 4 MiB tmpfs, a 1 MiB floor and a fake clock.</summary>
    private sealed class SmallDisk : IAsyncDisposable
    {
        private readonly TestDirectory _outer;
        private readonly TmpfsMount _tmpfs;

        private SmallDisk(TestDirectory outer, TmpfsMount tmpfs, InProcessRelay relay)
        {
            _outer = outer;
            _tmpfs = tmpfs;
            Relay = relay;
        }

        public required FakeTimeProvider Time { get; init; }

        public InProcessRelay Relay { get; }

        public string Path => _tmpfs.Path;

        public string DataDirectory => System.IO.Path.Combine(Path, "data");

        public static async Task<SmallDisk> StartAsync()
        {
            var outer = new TestDirectory();
            var tmpfs = new TmpfsMount(System.IO.Path.Combine(outer.Path, "disk"), "4m");
            var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T04:00:00Z", CultureInfo.InvariantCulture));
            var relay = await InProcessRelay.StartAsync(
                new Dictionary<string, string?>
                {
                    ["DATA_DIR"] = System.IO.Path.Combine(tmpfs.Path, "data"),
                    ["SPOOL_MIN_FREE_SPACE"] = "1M",
                },
                timeProvider: time);
            return new SmallDisk(outer, tmpfs, relay) { Time = time };
        }

        public async ValueTask DisposeAsync()
        {
            await Relay.DisposeAsync();
            _tmpfs.Dispose();
            _outer.Dispose();
        }
    }
}
