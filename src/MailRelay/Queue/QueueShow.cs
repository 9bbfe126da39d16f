using System.Globalization;

namespace MailRelay.Queue;

/// <summary>
/// Writes one message for <c>MailRelay queue show</c>: envelope, hold flag, each recipient's state (status,
/// attempts, next attempt, last reply and relay), then the message's header block.
/// </summary>
public static class QueueShow
{
    /// <summary>Most header bytes shown.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss 'UTC'";

    public static void Write(QueueEntry entry, MessageState state, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(output);
        var culture = CultureInfo.InvariantCulture;
        var envelope = entry.Envelope;
        output.WriteLine("Queue ID:   " + entry.QueueId);
        output.WriteLine("State:      " + (state.Held ? "on hold" : "queued"));
        output.WriteLine("Arrival:    " + Time(entry.ArrivalTime));
        output.WriteLine(string.Create(culture, $"Size:       {entry.Size}"));
        output.WriteLine("Sender:     <" + envelope.Sender + ">");
        WriteOptional(output, "Client:     ", envelope.ClientAddress);
        WriteOptional(output, "HELO:       ", envelope.HeloName);
        WriteOptional(output, "Auth:       ", envelope.AuthenticatedUser);
        WriteOptional(output, "Envelope-Id:", envelope.EnvelopeId is null ? null : " " + envelope.EnvelopeId);
        foreach (var recipient in envelope.Recipients.Distinct(StringComparer.Ordinal))
        {
            var recipientState = state.For(recipient);
            output.WriteLine("Recipient:  <" + recipient + ">");
            var status = recipientState.Status.ToString().ToLowerInvariant();
            output.WriteLine(string.Create(culture, $"  status:   {status}, {recipientState.Attempts} attempt{(recipientState.Attempts == 1 ? string.Empty : "s")}"));
            if (recipientState.Status == RecipientStatus.Failed)
            {
                output.WriteLine("  dsn:      " + (recipientState.Notified ? "sent" : "pending"));
            }

            if (recipientState.LastAttempt is { } last)
            {
                output.WriteLine("  last:     " + Time(last));
            }

            if (recipientState.NextAttempt is { } next)
            {
                output.WriteLine("  next:     " + Time(next));
            }

            WriteOptional(output, "  relay:    ", recipientState.Relay);
            WriteOptional(output, "  reply:    ", recipientState.LastReply);
        }

        output.WriteLine();
        WriteHeaders(entry, output);
    }

    private static void WriteOptional(TextWriter output, string label, string? value)
    {
        if (value is not null)
        {
            output.WriteLine(label + value);
        }
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static void WriteHeaders(QueueEntry entry, TextWriter output)
    {
        using var content = QueueContent.Open(entry, QueueContent.ReadOptions());
        using var reader = new StreamReader(content, System.Text.Encoding.UTF8);
        var shown = 0;
        while (reader.ReadLine() is { } line && line.Length > 0 && shown < MaxHeaderBytes)
        {
            output.WriteLine(line);
            shown += line.Length + 2;
        }
    }
}
