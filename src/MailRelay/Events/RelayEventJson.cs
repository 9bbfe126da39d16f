using System.Buffers;
using System.Text.Json;

namespace MailRelay.Events;

/// <summary>
/// The JSON of an event as the outbox stores it and the webhooks send it (docs/events.md): one object, the sequence
/// number first, then the event's fields in snake_case, those without a value left out, the time in UTC, the delay to
/// milliseconds, details sorted by key. Written and read field by field here, so that the sequence number goes beside
/// the event rather than into a copy of it. Receivers verify signatures over these bytes and outboxes on disk hold
/// lines of earlier releases, so the format stays as it is (RelayEventJsonTests pins it byte for byte).
/// </summary>
public static class RelayEventJson
{
    private const string Seq = "seq";
    private const string Id = "id";
    private const string Type = "type";
    private const string Time = "time";
    private const string QueueId = "queue_id";
    private const string MessageId = "message_id";
    private const string ClientId = "client_id";
    private const string Sender = "sender";
    private const string Recipient = "recipient";
    private const string NextHop = "next_hop";
    private const string RemoteReply = "remote_reply";
    private const string DsnStatus = "dsn_status";
    private const string Attempt = "attempt";
    private const string DelaySeconds = "delay_seconds";
    private const string Details = "details";

    /// <summary>The event as one line of UTF-8 JSON, without a line end, carrying <paramref name="sequence"/>.</summary>
    public static byte[] Serialize(RelayEvent relayEvent, long sequence)
    {
        ArgumentNullException.ThrowIfNull(relayEvent);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber(Seq, sequence);
            WriteIfSet(writer, Id, relayEvent.Id);
            WriteIfSet(writer, Type, relayEvent.Type);
            writer.WriteString(Time, relayEvent.Time.ToUniversalTime());
            WriteIfSet(writer, QueueId, relayEvent.QueueId);
            WriteIfSet(writer, MessageId, relayEvent.MessageId);
            WriteIfSet(writer, ClientId, relayEvent.ClientId);
            WriteIfSet(writer, Sender, relayEvent.Sender);
            WriteIfSet(writer, Recipient, relayEvent.Recipient);
            WriteIfSet(writer, NextHop, relayEvent.NextHop);
            WriteIfSet(writer, RemoteReply, relayEvent.RemoteReply);
            WriteIfSet(writer, DsnStatus, relayEvent.DsnStatus);
            if (relayEvent.Attempt is { } attempt)
            {
                writer.WriteNumber(Attempt, attempt);
            }

            if (relayEvent.DelaySeconds is { } delay)
            {
                writer.WriteNumber(DelaySeconds, Math.Round(delay, 3));
            }

            if (relayEvent.Details is { Count: > 0 } details)
            {
                writer.WriteStartObject(Details);
                foreach (var (key, value) in details.OrderBy(d => d.Key, StringComparer.Ordinal))
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads an event line back; null when it is not one: not one JSON object, a field of the wrong kind, or no
    /// sequence number, id or type. Fields it does not know are passed over.
    /// </summary>
    public static (long Sequence, RelayEvent Event)? Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            return Read(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static (long Sequence, RelayEvent Event)? Read(ref Utf8JsonReader reader)
    {
        if (Next(ref reader) != JsonTokenType.StartObject)
        {
            return null;
        }

        long sequence = 0;
        string? id = null, type = null, queueId = null, messageId = null, clientId = null, sender = null, recipient = null;
        string? nextHop = null, remoteReply = null, dsnStatus = null;
        DateTimeOffset time = default;
        int? attempt = null;
        double? delaySeconds = null;
        SortedDictionary<string, string>? details = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            Next(ref reader);
            switch (name)
            {
                case Seq: sequence = ReadInt64(ref reader); break;
                case Id: id = ReadString(ref reader); break;
                case Type: type = ReadString(ref reader); break;
                case Time: time = ReadTime(ref reader); break;
                case QueueId: queueId = ReadString(ref reader); break;
                case MessageId: messageId = ReadString(ref reader); break;
                case ClientId: clientId = ReadString(ref reader); break;
                case Sender: sender = ReadString(ref reader); break;
                case Recipient: recipient = ReadString(ref reader); break;
                case NextHop: nextHop = ReadString(ref reader); break;
                case RemoteReply: remoteReply = ReadString(ref reader); break;
                case DsnStatus: dsnStatus = ReadString(ref reader); break;
                case Attempt: attempt = ReadInt32OrNull(ref reader); break;
                case DelaySeconds: delaySeconds = ReadDoubleOrNull(ref reader); break;
                case Details: details = ReadDetails(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        // A second value after the object is no line of ours: Read throws on it.
        if (reader.Read() || sequence <= 0 || string.IsNullOrEmpty(id) || string.IsNullOrEmpty(type))
        {
            return null;
        }

        return (sequence, new RelayEvent
        {
            Id = id,
            Type = type,
            Time = time,
            QueueId = queueId,
            MessageId = messageId,
            ClientId = clientId,
            Sender = sender,
            Recipient = recipient,
            NextHop = nextHop,
            RemoteReply = remoteReply,
            DsnStatus = dsnStatus,
            Attempt = attempt,
            DelaySeconds = delaySeconds,
            Details = details,
        });
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) => reader.Read() ? reader.TokenType : throw new JsonException("The line ends early.");

    private static string? ReadString(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new JsonException("Expected a string."),
    };

    private static long ReadInt64(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : throw new JsonException("Expected a whole number.");

    private static int? ReadInt32OrNull(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Null ? null
        : reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) ? value
        : throw new JsonException("Expected a whole number.");

    private static double? ReadDoubleOrNull(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Null ? null
        : reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) ? value
        : throw new JsonException("Expected a number.");

    private static DateTimeOffset ReadTime(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value) ? value : throw new JsonException("Expected an ISO 8601 time.");

    private static SortedDictionary<string, string>? ReadDetails(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected an object.");
        }

        var details = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            Next(ref reader);

            // A null value reads as null, as it always has; no writer of ours puts one there.
            details[key] = ReadString(ref reader)!;
        }

        return details;
    }
}
