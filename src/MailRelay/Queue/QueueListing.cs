using System.Globalization;

namespace MailRelay.Queue;

/// <summary>
/// Writes a queue snapshot the way Postfix's <c>mailq</c> does: one block per message (id, size, arrival
/// time, sender, then the recipients still to be delivered beneath, each deferred group preceded by its
/// last reply in parentheses), and a closing "-- N Kbytes in M Requests." line, or "Mail queue is empty".
/// A <c>!</c> after the id marks a message on hold. Times are UTC. Files that could not be read are
/// listed with the reason.
/// </summary>
public static class QueueListing
{
    private const int IdWidth = QueueIdGenerator.Length;
    private const int SizeWidth = 8;
    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss";
    private const int BlockSize = 32 * 1024;
    private const int TimeWidth = 20;
    private static readonly string RecipientIndent = new(' ', IdWidth + 1 + SizeWidth + 1 + TimeWidth + 1);

    public static void Write(QueueSnapshot snapshot, TextWriter output) =>
        Write(snapshot, new Dictionary<string, MessageState>(StringComparer.Ordinal), output);

    /// <param name="states">Each message's delivery state by queue id; a message without one is all pending.</param>
    public static void Write(QueueSnapshot snapshot, IReadOnlyDictionary<string, MessageState> states, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(states);
        Write(
            snapshot.Entries.Select(e => (e, states.TryGetValue(e.QueueId, out var known) ? known : MessageState.Empty)),
            snapshot.Unreadable,
            output);
    }

    /// <summary>
    /// Writes each message as it comes, so a long queue starts printing at once and is never all in memory.
    /// <paramref name="unreadable"/> is read after the last message: it may be filled while they are read.
    /// </summary>
    internal static void Write(
        IEnumerable<(QueueEntry Entry, MessageState State)> messages, IReadOnlyCollection<UnreadableQueueFile> unreadable, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(unreadable);
        ArgumentNullException.ThrowIfNull(output);

        var culture = CultureInfo.InvariantCulture;
        long totalBytes = 0;
        var requests = 0;
        // The lines are handed to the output in blocks (the console writes each call through at once): the first message
        // alone, so a long queue still starts printing at once, then about every 32 KB instead of one write per line.
        using var block = new StringWriter(culture);
        var pending = block.GetStringBuilder();
        foreach (var (entry, state) in messages)
        {
            if (requests++ == 0)
            {
                block.WriteLine(string.Create(culture,
                    $"{"-Queue ID-",-IdWidth} {"--Size--",SizeWidth} {"--Arrival Time UTC--",-TimeWidth} -Sender/Recipient-------"));
            }

            totalBytes += entry.Size;
            WriteMessage(entry, state, block);
            if (requests == 1 || pending.Length >= BlockSize)
            {
                output.Write(pending);
                pending.Clear();
            }
        }

        output.Write(pending);

        if (requests == 0 && unreadable.Count == 0)
        {
            output.WriteLine("Mail queue is empty");
            return;
        }

        foreach (var file in unreadable)
        {
            output.WriteLine(string.Create(culture, $"{file.FileName,-IdWidth} (unreadable: {file.Problem})"));
            output.WriteLine();
        }

        var kilobytes = (totalBytes + 1023) / 1024;
        output.WriteLine(string.Create(culture,
            $"-- {kilobytes} Kbytes in {requests} Request{(requests == 1 ? string.Empty : "s")}."));
    }

    private static void WriteMessage(QueueEntry entry, MessageState state, TextWriter output)
    {
        var culture = CultureInfo.InvariantCulture;
        var sender = entry.Envelope.Sender.Length == 0 ? "MAILER-DAEMON" : entry.Envelope.Sender;
        var arrival = entry.ArrivalTime.UtcDateTime.ToString(TimeFormat, culture);
        var marker = state.Held ? "!" : " ";
        output.WriteLine(string.Create(culture,
            $"{entry.QueueId,-IdWidth}{marker}{entry.Size,SizeWidth} {arrival,-TimeWidth} {sender}"));
        string? lastReason = null;
        foreach (var recipient in entry.Envelope.Recipients.Distinct(StringComparer.Ordinal))
        {
            var recipientState = state.For(recipient);
            if (recipientState.IsFinal)
            {
                continue;
            }

            var reason = recipientState.Status == RecipientStatus.Deferred ? recipientState.LastReply : null;
            if (reason is not null && reason != lastReason)
            {
                output.WriteLine("(" + reason + ")");
            }

            lastReason = reason;
            output.Write(RecipientIndent);
            output.WriteLine(recipient);
        }

        output.WriteLine();
    }
}
