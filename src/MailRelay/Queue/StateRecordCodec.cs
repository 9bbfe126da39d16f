using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MailRelay.Queue;

/// <summary>
/// Writes and reads the lines of a state log: one JSON object per line, each carrying the format version
/// (see docs/queue-format.md, "Delivery state").
/// </summary>
internal static class StateRecordCodec
{
    public const int CurrentVersion = 1;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static void Encode(StateRecord record, IBufferWriter<byte> output)
    {
        using (var json = new Utf8JsonWriter(output, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("v", CurrentVersion);
            json.WriteString("at", record.Time.ToUniversalTime());
            if (record.Recipient is { } state)
            {
                json.WriteString("t", "rcpt");
                json.WriteString("rcpt", state.Recipient);
                json.WriteString("status", StatusName(state.Status));
                json.WriteNumber("attempts", state.Attempts);
                WriteOptionalTime(json, "last", state.LastAttempt);
                WriteOptionalTime(json, "next", state.NextAttempt);
                WriteOptional(json, "reply", state.LastReply);
                WriteOptional(json, "dsn", state.StatusCode);
                WriteOptional(json, "relay", state.Relay);
                if (state.Notified)
                {
                    json.WriteBoolean("notified", true);
                }

                if (state.Warned)
                {
                    json.WriteBoolean("warned", true);
                }
            }
            else if (record.Held is { } held)
            {
                json.WriteString("t", "hold");
                json.WriteBoolean("held", held);
            }
            else if (record.Notified is { } notified)
            {
                json.WriteString("t", "notified");
                json.WriteStartArray("rcpts");
                foreach (var recipient in notified)
                {
                    json.WriteStringValue(recipient);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        output.Write("\n"u8);
    }

    /// <exception cref="QueueFormatException">The line is not a record this version understands.</exception>
    public static StateRecord Decode(ReadOnlyMemory<byte> line)
    {
        using (var document = VersionedJsonLine.Parse(line, CurrentVersion, "state record", "state format version"))
        {
            var root = document.RootElement;

            try
            {
                var time = root.GetProperty("at").GetDateTimeOffset();
                return root.GetProperty("t").GetString() switch
                {
                    "rcpt" => StateRecord.ForRecipient(DecodeRecipient(root), time),
                    "hold" => StateRecord.ForHold(root.GetProperty("held").GetBoolean(), time),
                    "notified" => StateRecord.ForNotified(
                        [.. root.GetProperty("rcpts").EnumerateArray().Select(e => e.GetString() ?? string.Empty)], time),
                    var other => throw new QueueFormatException($"unknown state record type {other}"),
                };
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                throw new QueueFormatException("state record field is missing or has the wrong type", ex);
            }
        }
    }

    private static RecipientState DecodeRecipient(JsonElement root) =>
        new(root.GetProperty("rcpt").GetString() ?? string.Empty, ParseStatus(root.GetProperty("status").GetString()))
        {
            Attempts = root.GetProperty("attempts").GetInt32(),
            LastAttempt = OptionalTime(root, "last"),
            NextAttempt = OptionalTime(root, "next"),
            LastReply = OptionalString(root, "reply"),
            StatusCode = OptionalString(root, "dsn"),
            Relay = OptionalString(root, "relay"),
            Notified = root.TryGetProperty("notified", out var notified) && notified.GetBoolean(),
            Warned = root.TryGetProperty("warned", out var warned) && warned.GetBoolean(),
        };

    private static string StatusName(RecipientStatus status) => status switch
    {
        RecipientStatus.Delivered => "delivered",
        RecipientStatus.Deferred => "deferred",
        RecipientStatus.Failed => "failed",
        _ => "pending",
    };

    private static RecipientStatus ParseStatus(string? name) => name switch
    {
        "pending" => RecipientStatus.Pending,
        "delivered" => RecipientStatus.Delivered,
        "deferred" => RecipientStatus.Deferred,
        "failed" => RecipientStatus.Failed,
        _ => throw new QueueFormatException($"unknown recipient status {name}"),
    };

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteOptionalTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            json.WriteString(name, time.ToUniversalTime());
        }
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;

    private static DateTimeOffset? OptionalTime(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetDateTimeOffset() : null;
}
