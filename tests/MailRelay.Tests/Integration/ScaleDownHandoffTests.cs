using System.Globalization;
using System.Net;
using System.Text;
using MailRelay.Queue;
using MailRelay.Tests.Queue;
using MailRelay.Tests.Queue.Segments;
using MailRelay.Tests.Support;
using Xunit.Abstractions;

namespace MailRelay.Tests.Integration;

/// <summary>
/// Scale-down through the real daemons: a pod above the StatefulSet's replica count (the fake API says so) hands its
/// queue to the remaining pod on SIGTERM; kill -9 mid-way loses nothing; a plain restart keeps the queue; and
/// <c>queue handoff --to</c> empties a stopped daemon's DATA_DIR.
/// </summary>
public class ScaleDownHandoffTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(240);

    /// <summary>The pod that stays: it takes handed-over mail from 127.0.0.1 only, and relays for nobody else.</summary>
    private static Dictionary<string, string> Remaining(TestDirectory data, RecordingSmtpSink sink) => new()
    {
        ["MAIL_HOSTNAME"] = "mailrelay-0.test.example",
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "127.0.0.1:0",
        ["DATA_DIR"] = data.Path,
        ["TRUSTED_NETWORKS"] = "none",
        ["HANDOFF_PEERS"] = "127.0.0.1/32",
        ["DELIVERY_ROUTES"] = $"{{\"elsewhere.example\":\"127.0.0.1:{sink.EndPoint.Port}\"}}",
        ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
        ["SHUTDOWN_TIMEOUT"] = "5s",
    };

    /// <summary>The pod above the replica count: its next hop is unreachable, so all it accepts stays queued, deferred.</summary>
    private static Dictionary<string, string> Leaving(TestDirectory data, FakeStatefulSetApi api, IPEndPoint peer) => new()
    {
        ["MAIL_HOSTNAME"] = "mailrelay-1.test.example",
        ["SMTP_LISTENERS"] = "127.0.0.1:0",
        ["ADMIN_LISTEN"] = "127.0.0.1:0",
        ["DATA_DIR"] = data.Path,
        ["DELIVERY_ROUTES"] = TestNetwork.UnreachableRoutes,
        ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
        ["SHUTDOWN_TIMEOUT"] = "5s",
        ["POD_NAME"] = "mailrelay-1",
        ["HANDOFF_SERVICE"] = peer.Address.ToString(),
        ["HANDOFF_PORT"] = peer.Port.ToString(CultureInfo.InvariantCulture),
        ["HANDOFF_TIMEOUT"] = "200s",
        ["HANDOFF_KUBERNETES_API"] = api.BaseUri.ToString(),
    };

    [Fact]
    public async Task On_SIGTERM_above_the_replica_count_1000_queued_messages_move_with_envelope_dsn_and_arrival_and_arrive_once()
    {
        using var leavingData = new TestDirectory();
        using var remainingData = new TestDirectory();
        await using var sink = await RecordingSmtpSink.StartAsync(gateClosed: true);
        await using var api = await FakeStatefulSetApi.StartAsync(replicas: 2);
        await using var remaining = await DaemonProcess.StartAsync(Remaining(remainingData, sink));
        await using var leaving = await DaemonProcess.StartAsync(Leaving(leavingData, api, remaining.SmtpEndPoint));

        await SubmitAsync(leaving.SmtpEndPoint, 1000);
        var before = new QueueReader(leavingData.Path).ReadCommitted().Entries.ToDictionary(e => e.Envelope.EnvelopeId!);
        Assert.Equal(1000, before.Count);

        api.Replicas = 1;
        var terminated = DateTimeOffset.UtcNow;
        leaving.Terminate();
        await leaving.WaitForExitAsync(Limit);

        foreach (var line in leaving.Output.Split('\n').Where(l => l.Contains("Scale-down check", StringComparison.Ordinal) || l.Contains("Handoff to", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }

        Assert.Equal(0, leaving.ExitCode);
        Assert.Empty(leavingData.QueuedFiles());
        var after = new QueueReader(remainingData.Path).ReadCommitted().Entries;
        Assert.Equal(1000, after.Count);
        foreach (var entry in after)
        {
            var original = before[entry.Envelope.EnvelopeId!];
            Assert.Equal(original.ArrivalTime.ToUnixTimeMilliseconds(), entry.ArrivalTime.ToUnixTimeMilliseconds());
            Assert.True(entry.ArrivalTime < terminated);
            Assert.Equal(original.Envelope.Sender, entry.Envelope.Sender);
            Assert.Equal(original.Envelope.Recipients, entry.Envelope.Recipients);
            Assert.Equal(original.Envelope.Return, entry.Envelope.Return);
            Assert.Equal(original.Envelope.Body, entry.Envelope.Body);
            Assert.Equal(
                original.Envelope.RecipientDsn.OrderBy(p => p.Key, StringComparer.Ordinal),
                entry.Envelope.RecipientDsn.OrderBy(p => p.Key, StringComparer.Ordinal));
        }

        sink.Gate.Release(5000);
        await sink.WaitUntilAsync(() => sink.Received.Count >= 1000, Limit);
        await remaining.WaitForOutputAsync("removed", 1000, Limit);
        var markers = sink.Received.Select(m => Marker(m.Content)).ToList();
        Assert.Equal(1000, markers.Count);
        Assert.Equal(1000, markers.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Kill_9_during_the_handoff_loses_no_message_and_duplicates_at_most_the_one_in_flight()
    {
        using var leavingData = new TestDirectory();
        using var remainingData = new TestDirectory();
        await using var sink = await RecordingSmtpSink.StartAsync(gateClosed: true);
        await using var api = await FakeStatefulSetApi.StartAsync(replicas: 2);
        await using var remaining = await DaemonProcess.StartAsync(Remaining(remainingData, sink));
        var environment = Leaving(leavingData, api, remaining.SmtpEndPoint);
        var leaving = await DaemonProcess.StartAsync(environment);
        await SubmitAsync(leaving.SmtpEndPoint, 400);

        api.Replicas = 1;
        leaving.Terminate();
        await leaving.WaitForOutputAsync("handed over to", 50, Limit);
        leaving.Kill();
        await leaving.WaitForExitAsync(Limit);
        await leaving.DisposeAsync();
        var left = leavingData.QueuedFiles().Length;
        Assert.InRange(left, 1, 350);

        // What the killed pod left is handed over from its volume.
        var (exitCode, output) = await DaemonProcess.RunToExitAsync(environment, "queue", "handoff", "--to", remaining.SmtpEndPoint.ToString());
        Assert.True(exitCode == 0, output);
        Assert.Empty(leavingData.QueuedFiles());

        sink.Gate.Release(5000);
        await sink.WaitUntilAsync(() => sink.Received.Select(m => Marker(m.Content)).Distinct(StringComparer.Ordinal).Count() >= 400, Limit);
        await remaining.WaitForOutputAsync("removed", sink.Received.Count, Limit);
        var markers = sink.Received.Select(m => Marker(m.Content)).ToList();
        Assert.Equal(400, markers.Distinct(StringComparer.Ordinal).Count());
        Assert.InRange(markers.Count - 400, 0, 1);
    }

    [Fact]
    public async Task A_plain_restart_at_the_same_replica_count_keeps_the_queue()
    {
        using var data = new TestDirectory();
        await using var sink = await RecordingSmtpSink.StartAsync();
        await using var api = await FakeStatefulSetApi.StartAsync(replicas: 2);
        await using var peer = await DaemonProcess.StartAsync(Remaining(new TestDirectory(), sink));
        var environment = Leaving(data, api, peer.SmtpEndPoint);
        var daemon = await DaemonProcess.StartAsync(environment);
        await SubmitAsync(daemon.SmtpEndPoint, 20);

        daemon.Terminate();
        await daemon.WaitForExitAsync(Limit);
        Assert.Equal(0, daemon.ExitCode);
        Assert.Contains("ordinal 1, replicas 2: kept", daemon.Output, StringComparison.Ordinal);
        await daemon.DisposeAsync();

        Assert.Equal(20, data.QueuedFiles().Length);
        await using var restarted = await DaemonProcess.StartAsync(environment);
        Assert.Equal(20, new QueueReader(data.Path).ReadCommitted().Entries.Count);
        Assert.True(api.Reads >= 3);
        Assert.Empty(sink.Received);
    }

    [Fact]
    public async Task A_leaving_pod_hands_over_the_messages_a_previous_stop_left_in_segment_files_before_it_starts()
    {
        using var data = new TestDirectory();
        await using var sink = await RecordingSmtpSink.StartAsync();
        await using var api = await FakeStatefulSetApi.StartAsync(replicas: 1);
        await using var peer = await DaemonProcess.StartAsync(Remaining(new TestDirectory(), sink));
        var arrival = DateTimeOffset.UtcNow.AddMinutes(-10);
        var (handed, removed) = (TestSegment.IdAt(arrival), TestSegment.IdAt(arrival.AddSeconds(1)));
        var envelope = new SpoolEnvelope { Sender = "app@ours.example", Recipients = ["a1@elsewhere.example"] };
        new TestSegment(data.Path)
            .Message(handed, arrival, envelope, Encoding.ASCII.GetBytes("From: app@ours.example\r\nSubject: handoff from a segment\r\n\r\nbody\r\n"))
            .Message(removed, arrival.AddSeconds(1), envelope, Encoding.ASCII.GetBytes("From: app@ours.example\r\nSubject: handoff removed\r\n\r\nbody\r\n"))
            .Removal(removed)
            .Write();

        await using var daemon = await DaemonProcess.StartAsync(Leaving(data, api, peer.SmtpEndPoint));

        Assert.Contains("ordinal 1, replicas 1: leaving", daemon.Output, StringComparison.Ordinal);
        await sink.WaitUntilAsync(() => !sink.Received.IsEmpty, Limit);
        Assert.Equal("Subject: handoff from a segment", Marker(Assert.Single(sink.Received).Content));
        Assert.Empty(new QueueReader(data.Path).ReadCommitted().Entries);

        // The segment the previous stop left is gone (a daemon that runs on prepares an empty one of its own).
        Assert.DoesNotContain(removed, MailRelay.Queue.Segments.SegmentScan.Read(new SpoolLayout(data.Path)).Removed);
    }

    [Fact]
    public async Task Queue_handoff_empties_a_stopped_daemon_s_directory_and_hands_only_pending_recipients()
    {
        using var data = new TestDirectory();
        await using var sink = await RecordingSmtpSink.StartAsync();
        await using var peer = await DaemonProcess.StartAsync(Remaining(new TestDirectory(), sink));
        var environment = new Dictionary<string, string>
        {
            ["MAIL_HOSTNAME"] = "mailrelay-1.test.example",
            ["SMTP_LISTENERS"] = "127.0.0.1:0",
            ["ADMIN_LISTEN"] = "127.0.0.1:0",
            ["DATA_DIR"] = data.Path,
            ["DELIVERY_ROUTES"] = TestNetwork.UnreachableRoutes,
            ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
        };
        var daemon = await DaemonProcess.StartAsync(environment);
        await SubmitAsync(daemon.SmtpEndPoint, 10);

        // The refusal a running daemon earns: its queue is its own.
        var (running, runningOutput) = await DaemonProcess.RunToExitAsync(environment, "queue", "handoff", "--to", peer.SmtpEndPoint.ToString());
        Assert.True(running == 3, runningOutput);
        daemon.Terminate();
        await daemon.WaitForExitAsync(Limit);
        await daemon.DisposeAsync();

        // One message had its first recipient delivered already: only the second may travel.
        var partial = new QueueReader(data.Path).ReadCommitted().Entries[0];
        var delivered = partial.Envelope.Recipients[0];
        var partialMarker = Marker(partial);
        MessageStateLog.Append(
            Path.Combine(data.ActiveQueue, partial.QueueId + ".state"),
            [StateRecord.ForRecipient(new RecipientState(delivered, RecipientStatus.Delivered) { Attempts = 1 }, DateTimeOffset.UtcNow)],
            new PosixDiskSync());

        var (exitCode, output) = await DaemonProcess.RunToExitAsync(environment, "queue", "handoff", "--to", peer.SmtpEndPoint.ToString());
        Assert.True(exitCode == 0, output);
        Assert.Contains("10 messages handed over", output, StringComparison.Ordinal);
        Assert.Empty(data.QueuedFiles());

        await sink.WaitUntilAsync(() => sink.Received.Count >= 10, Limit);
        var copy = sink.Received.Single(m => Marker(m.Content) == partialMarker);
        Assert.DoesNotContain(delivered, copy.Recipients);
        Assert.Equal(partial.Envelope.Recipients.Count - 1, copy.Recipients.Length);
    }

    [Fact]
    public async Task Queue_handoff_leaves_an_unreadable_queue_file_and_counts_it_as_left()
    {
        using var data = new TestDirectory();
        await using var sink = await RecordingSmtpSink.StartAsync();
        await using var peer = await DaemonProcess.StartAsync(Remaining(new TestDirectory(), sink));
        Directory.CreateDirectory(data.ActiveQueue);
        var corrupt = Path.Combine(data.ActiveQueue, "0000000000000001.msg");
        File.WriteAllText(corrupt, "not a header\n");
        var environment = new Dictionary<string, string>
        {
            ["MAIL_HOSTNAME"] = "mailrelay-1.test.example",
            ["DATA_DIR"] = data.Path,
        };

        var (exitCode, output) = await DaemonProcess.RunToExitAsync(environment, "queue", "handoff", "--to", peer.SmtpEndPoint.ToString());

        Assert.True(exitCode == 1, output);
        Assert.Contains("0 messages handed over", output, StringComparison.Ordinal);
        Assert.Contains(", 1 left in", output, StringComparison.Ordinal);
        Assert.True(File.Exists(corrupt));
        Assert.Empty(sink.Received);
    }

    [Fact]
    public async Task Outside_handoff_peers_XARRIVAL_is_neither_offered_nor_accepted()
    {
        await using var sink = await RecordingSmtpSink.StartAsync();
        using var data = new TestDirectory();
        var environment = Remaining(data, sink);
        environment["HANDOFF_PEERS"] = "127.0.0.2/32";
        await using var daemon = await DaemonProcess.StartAsync(environment);

        await using (var stranger = await RawSmtpClient.ConnectAsync(daemon.SmtpEndPoint, IPAddress.Parse("127.0.0.1")))
        {
            await stranger.ReadReplyAsync();
            Assert.DoesNotContain("XARRIVAL", await stranger.CommandAsync("EHLO stranger.example"), StringComparison.Ordinal);
            Assert.StartsWith("555", await stranger.CommandAsync("MAIL FROM:<a@ours.example> XARRIVAL=1700000000000"), StringComparison.Ordinal);
            Assert.StartsWith("250", await stranger.CommandAsync("MAIL FROM:<a@ours.example>"), StringComparison.Ordinal);
            Assert.StartsWith("554", await stranger.CommandAsync("RCPT TO:<x@elsewhere.example>"), StringComparison.Ordinal);
        }

        await using var peer = await RawSmtpClient.ConnectAsync(daemon.SmtpEndPoint, IPAddress.Parse("127.0.0.2"));
        await peer.ReadReplyAsync();
        Assert.Contains("XARRIVAL", await peer.CommandAsync("EHLO mailrelay-1.example"), StringComparison.Ordinal);
        Assert.StartsWith("250", await peer.CommandAsync("MAIL FROM:<a@ours.example> XARRIVAL=1700000000000"), StringComparison.Ordinal);
        Assert.StartsWith("250", await peer.CommandAsync("RCPT TO:<x@elsewhere.example>"), StringComparison.Ordinal);
        await peer.CommandAsync("RSET");
        Assert.StartsWith("250", await peer.CommandAsync("MAIL FROM:<a@ours.example>"), StringComparison.Ordinal);
        Assert.StartsWith("554", await peer.CommandAsync("RCPT TO:<x@elsewhere.example>"), StringComparison.Ordinal);
    }

    private static string Marker(byte[] content)
    {
        var text = RecordingSmtpSink.Text(content);
        var start = text.IndexOf("Subject: handoff ", StringComparison.Ordinal);
        return text[start..text.IndexOf('\r', start)];
    }

    private static string Marker(QueueEntry entry) => Marker(SpoolFixtures.ContentOf(entry));

    /// <summary>Submits <paramref name="count"/> messages over four pipelined sessions, each with DSN parameters.</summary>
    private static async Task SubmitAsync(IPEndPoint relay, int count)
    {
        async Task SessionAsync(int first, int step)
        {
            await using var client = await RawSmtpClient.ConnectAsync(relay);
            await client.ReadReplyAsync();
            await client.CommandAsync("EHLO app.test.example");
            for (var i = first; i < count; i += step)
            {
                var content = Encoding.ASCII.GetBytes(
                    $"From: app@ours.example\r\nTo: a{i}@elsewhere.example\r\nSubject: handoff {i}\r\nMessage-ID: <{i}@ours.example>\r\n\r\nbody {i}\r\n");
                var ret = i % 2 == 0 ? "HDRS" : "FULL";
                var envelope = $"MAIL FROM:<app@ours.example> RET={ret} ENVID=env{i}\r\n"
                    + $"RCPT TO:<a{i}@elsewhere.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;orig{i}@elsewhere.example\r\n"
                    + $"RCPT TO:<b{i}@elsewhere.example>\r\n"
                    + $"BDAT {content.Length} LAST\r\n";
                await client.SendAsync([.. Encoding.ASCII.GetBytes(envelope), .. content]);
                for (var reply = 0; reply < 4; reply++)
                {
                    var text = await client.ReadReplyAsync();
                    Assert.StartsWith("250", text, StringComparison.Ordinal);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => SessionAsync(w, 4)));
    }
}
