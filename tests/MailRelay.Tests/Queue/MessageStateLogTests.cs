using System.Text;
using MailRelay.Queue;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue;

public sealed class MessageStateLogTests : IDisposable
{
    private readonly TempDataDirectory _data = new();
    private readonly RecordingDiskSync _sync;

    public MessageStateLogTests()
    {
        _sync = new RecordingDiskSync(_data.Path);
        Directory.CreateDirectory(_data.Active);
    }

    public void Dispose() => _data.Dispose();

    private string StatePath => Path.Combine(_data.Active, "01KJ3V7Q2M9XG4TB.state");

    [Fact]
    public void A_missing_log_means_every_recipient_is_pending_and_not_held()
    {
        var state = MessageStateLog.Read(StatePath);

        Assert.False(state.Held);
        Assert.Equal(RecipientStatus.Pending, state.For("a@example.net").Status);
    }

    [Fact]
    public void Records_round_trip_and_the_last_record_per_recipient_wins()
    {
        var deferred = new RecipientState("a@example.net", RecipientStatus.Deferred)
        {
            Attempts = 1,
            LastAttempt = Start,
            NextAttempt = Start.AddMinutes(1),
            LastReply = "451 4.7.1 later",
            StatusCode = "4.7.1",
            Relay = "mx.example.net[127.0.0.1]:25",
        };
        MessageStateLog.Append(StatePath, [StateRecord.ForRecipient(deferred, Start)], _sync);
        var failed = new RecipientState("b@example.net", RecipientStatus.Failed) { Attempts = 1, LastReply = "550 5.1.1 unknown", StatusCode = "5.1.1" };
        MessageStateLog.Append(StatePath, [
            StateRecord.ForRecipient(deferred with { Status = RecipientStatus.Delivered, Attempts = 2, NextAttempt = null }, Start),
            StateRecord.ForRecipient(failed, Start),
            StateRecord.ForHold(true, Start)], _sync);
        MessageStateLog.Append(StatePath, [StateRecord.ForNotified(["b@example.net"], Start)], _sync);

        var state = MessageStateLog.Read(StatePath);

        Assert.True(state.Held);
        Assert.Equal(deferred with { Status = RecipientStatus.Delivered, Attempts = 2, NextAttempt = null }, state.For("a@example.net"));
        Assert.Equal(failed with { Notified = true }, state.For("b@example.net"));
    }

    [Fact]
    public void Every_append_is_fsynced_and_the_first_also_syncs_the_directory()
    {
        var record = StateRecord.ForHold(true, Start);

        MessageStateLog.Append(StatePath, [record], _sync);
        MessageStateLog.Append(StatePath, [record], _sync);

        Assert.Equal(2, _sync.FileSyncs);
        Assert.Equal(1, _sync.ActiveDirectorySyncs);
    }

    [Fact]
    public void A_torn_last_line_is_ignored_and_cut_off_by_the_next_append()
    {
        MessageStateLog.Append(StatePath, [StateRecord.ForHold(true, Start)], _sync);
        File.AppendAllText(StatePath, "{\"v\":1,\"at\":\"2026-03-14T09:26:53+00:00\",\"t\":\"ho", Encoding.ASCII);

        Assert.True(MessageStateLog.Read(StatePath).Held);

        MessageStateLog.Append(StatePath, [StateRecord.ForHold(false, Start)], _sync);
        Assert.False(MessageStateLog.Read(StatePath).Held);
        Assert.Equal(2, File.ReadAllLines(StatePath).Length);
    }

    [Fact]
    public void A_record_of_an_unknown_version_is_refused_not_guessed()
    {
        File.WriteAllText(StatePath, "{\"v\":2,\"at\":\"2026-03-14T09:26:53+00:00\",\"t\":\"hold\",\"held\":true}\n", Encoding.ASCII);

        var error = Assert.Throws<QueueFormatException>(() => MessageStateLog.Read(StatePath));
        Assert.Equal("unsupported state format version 2", error.Message);
    }

    [Fact]
    public void Records_are_one_json_line_each_with_the_format_version()
    {
        MessageStateLog.Append(StatePath, [StateRecord.ForRecipient(new RecipientState("a+b@example.net", RecipientStatus.Delivered) { Attempts = 1 }, Start)], _sync);

        Assert.Equal(
            "{\"v\":1,\"at\":\"2026-03-14T09:26:53+00:00\",\"t\":\"rcpt\",\"rcpt\":\"a+b@example.net\",\"status\":\"delivered\",\"attempts\":1}\n",
            File.ReadAllText(StatePath));
    }
}
