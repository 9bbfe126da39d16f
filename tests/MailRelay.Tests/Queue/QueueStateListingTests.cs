using MailRelay.Queue;
using Microsoft.Extensions.Time.Testing;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue;

/// <summary>list and show with delivery state, the spool's commit notification, and the reader beside state logs.</summary>
public sealed class QueueStateListingTests : IDisposable
{
    private readonly TempDataDirectory _data = new();
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose()
    {
        _data.Dispose();
        _stdout.Dispose();
        _stderr.Dispose();
    }

    [Fact]
    public async Task List_marks_held_messages_shows_deferral_reasons_and_omits_final_recipients()
    {
        var (id, _) = await QueueWithStateAsync();

        Assert.Equal(0, QueueCommands.RunList(_data.Path, _stdout, _stderr));

        var lines = _stdout.ToString().Split(Environment.NewLine);
        Assert.Equal($"{id}!{Message("hello").Length,8} 2026-03-14 09:26:53  app@example.com", lines[1]);
        Assert.Equal("(451 4.7.1 greylisted)", lines[2]);
        Assert.Equal("deferred@example.net", lines[3].Trim());
        Assert.Equal("pending@example.org", lines[4].Trim());
        Assert.Equal(string.Empty, lines[5]);
        Assert.DoesNotContain("delivered@example.net", _stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal("-- 1 Kbytes in 1 Request.", lines[6]);
        Assert.Empty(_stderr.ToString());
    }

    [Fact]
    public async Task Show_prints_the_envelope_each_recipient_state_and_the_headers()
    {
        var (id, _) = await QueueWithStateAsync();

        Assert.Equal(0, QueueCommands.RunShow(_data.Path, id, _stdout, _stderr));

        var text = _stdout.ToString();
        var expected = string.Join(Environment.NewLine,
            $"Queue ID:   {id}",
            "State:      on hold",
            "Arrival:    2026-03-14 09:26:53 UTC",
            $"Size:       {Message("hello").Length}",
            "Sender:     <app@example.com>",
            "Client:     127.0.0.1",
            "HELO:       client.example.com",
            "Recipient:  <delivered@example.net>",
            "  status:   delivered, 1 attempt",
            "  last:     2026-03-14 09:27:53 UTC",
            "  relay:    mx.example.net[127.0.0.1]:25",
            "  reply:    250 2.0.0 Ok",
            "Recipient:  <deferred@example.net>",
            "  status:   deferred, 2 attempts",
            "  last:     2026-03-14 09:27:53 UTC",
            "  next:     2026-03-14 09:32:53 UTC",
            "  reply:    451 4.7.1 greylisted",
            "Recipient:  <pending@example.org>",
            "  status:   pending, 0 attempts",
            string.Empty,
            "From: app@example.com",
            "To: user@example.net",
            "Subject: hello",
            string.Empty);
        Assert.Equal(expected, text);
    }

    [Fact]
    public void Show_of_an_unknown_message_fails()
    {
        Assert.Equal(QueueCommands.Failure, QueueCommands.RunShow(_data.Path, "01KJ3V7Q2M9XG4TB", _stdout, _stderr));
        Assert.Equal("01KJ3V7Q2M9XG4TB: no such message" + Environment.NewLine, _stderr.ToString());
    }

    [Fact]
    public async Task The_spool_announces_each_commit_after_it_is_durable()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        var announced = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        spool.MessageCommitted += (_, e) => announced.TrySetResult(File.Exists(Path.Combine(_data.Active, e.QueueId + ".msg")) ? e.QueueId : "missing");

        var id = await CommitAsync(spool, Envelope(), Message("x"));

        Assert.Equal(id, await announced.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task The_announced_entry_is_the_one_the_file_reads_back_as()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        var announced = new TaskCompletionSource<QueueEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        spool.MessageCommitted += (_, e) => announced.TrySetResult(e.Entry);
        var envelope = new SpoolEnvelope
        {
            Sender = "app@example.com",
            Recipients = ["a@example.net", "b@example.org"],
            ClientAddress = "127.0.0.9",
            HeloName = "client.example.com",
            Body = MessageBodyType.EightBitMime,
            EnvelopeId = "env-1",
            Return = DsnReturn.Headers,
        };

        await CommitAsync(spool, envelope, Message("a body of some length"));
        var entry = await announced.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var read = Assert.Single(new QueueReader(_data.Path).ReadCommitted().Entries);

        Assert.Equal(read.QueueId, entry.QueueId);
        Assert.Equal(read.ArrivalTime, entry.ArrivalTime);
        Assert.Equal(read.Size, entry.Size);
        Assert.Equal(read.ContentOffset, entry.ContentOffset);
        Assert.Equal(read.FilePath, entry.FilePath);
        Assert.Equal(read.FormatVersion, entry.FormatVersion);
        Assert.Equal(read.Envelope.Sender, entry.Envelope.Sender);
        Assert.Equal(read.Envelope.Recipients, entry.Envelope.Recipients);
        Assert.Equal(read.Envelope.ClientAddress, entry.Envelope.ClientAddress);
        Assert.Equal(read.Envelope.HeloName, entry.Envelope.HeloName);
        Assert.Equal(read.Envelope.Body, entry.Envelope.Body);
        Assert.Equal(read.Envelope.EnvelopeId, entry.Envelope.EnvelopeId);
        Assert.Equal(read.Envelope.Return, entry.Envelope.Return);
    }

    [Fact]
    public async Task The_reader_skips_state_logs()
    {
        var (id, _) = await QueueWithStateAsync();

        var snapshot = new QueueReader(_data.Path).ReadCommitted();

        Assert.Equal(id, Assert.Single(snapshot.Entries).QueueId);
        Assert.Empty(snapshot.Unreadable);
    }

    private async Task<(string Id, string StatePath)> QueueWithStateAsync()
    {
        var time = new FakeTimeProvider(Start);
        await using var spool = CreateSpool(_data.Path, time);
        spool.Initialize();
        var id = await CommitAsync(spool, Envelope("app@example.com", "delivered@example.net", "deferred@example.net", "pending@example.org"), Message("hello"));
        var statePath = Path.Combine(_data.Active, id + ".state");
        var last = Start.AddMinutes(1);
        MessageStateLog.Append(statePath, [
            StateRecord.ForRecipient(new RecipientState("delivered@example.net", RecipientStatus.Delivered)
            {
                Attempts = 1, LastAttempt = last, LastReply = "250 2.0.0 Ok", StatusCode = "2.0.0", Relay = "mx.example.net[127.0.0.1]:25",
            }, last),
            StateRecord.ForRecipient(new RecipientState("deferred@example.net", RecipientStatus.Deferred)
            {
                Attempts = 2, LastAttempt = last, NextAttempt = last.AddMinutes(5), LastReply = "451 4.7.1 greylisted", StatusCode = "4.7.1",
            }, last),
            StateRecord.ForHold(true, last)], new PosixDiskSync());
        return (id, statePath);
    }
}
