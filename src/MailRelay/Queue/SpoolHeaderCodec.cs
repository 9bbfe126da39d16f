using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MailRelay.Queue;

/// <summary>
/// Writes and reads the envelope header: one line of UTF-8 JSON ending in LF (see docs/queue-format.md).
/// Fields are written by hand rather than by reflection so their order and spelling are the format.
/// </summary>
internal static class SpoolHeaderCodec
{
    public const int CurrentVersion = 1;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Addresses keep '+' and non-ASCII readable; control characters are still escaped, so the
        // header can never contain the LF that ends it.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static byte[] Encode(SpoolHeader header)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            var envelope = header.Envelope;
            json.WriteStartObject();
            json.WriteNumber("v", header.Version);
            json.WriteString("id", header.QueueId);
            json.WriteString("arrival", header.ArrivalTime.ToUniversalTime());
            json.WriteString("sender", envelope.Sender);
            json.WriteStartArray("recipients");
            foreach (var recipient in envelope.Recipients)
            {
                json.WriteStringValue(recipient);
            }

            json.WriteEndArray();
            WriteOptional(json, "client", envelope.ClientAddress);
            WriteOptional(json, "helo", envelope.HeloName);
            WriteOptional(json, "auth", envelope.AuthenticatedUser);
            json.WriteBoolean("smtputf8", envelope.SmtpUtf8);
            json.WriteString("body", BodyName(envelope.Body));
            WriteOptional(json, "envid", envelope.EnvelopeId);
            if (envelope.Return != DsnReturn.Unspecified)
            {
                json.WriteString("ret", envelope.Return == DsnReturn.Full ? "FULL" : "HDRS");
            }

            WriteRecipientDsn(json, envelope.RecipientDsn);

            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads only the queue id of a header line this codec wrote: <see cref="Encode"/> always starts it with the
    /// version and the id, so a reader that needs nothing else (the segment scan, over every record) is spared the
    /// whole decode. False when the line does not start that way; <see cref="Decode"/> then says why.
    /// </summary>
    public static bool TryReadQueueId(ReadOnlySpan<byte> line, [NotNullWhen(true)] out string? queueId)
    {
        queueId = null;
        if (!line.StartsWith(IdLineStart))
        {
            return false;
        }

        var rest = line[IdLineStart.Length..];
        var end = rest.IndexOf((byte)'"');
        if (end != QueueIdGenerator.Length)
        {
            return false;
        }

        Span<char> id = stackalloc char[QueueIdGenerator.Length];
        for (var i = 0; i < id.Length; i++)
        {
            id[i] = (char)rest[i];
        }

        if (!QueueIdGenerator.IsWellFormed(id))
        {
            return false;
        }

        queueId = new string(id);
        return true;
    }

    private static ReadOnlySpan<byte> IdLineStart => "{\"v\":1,\"id\":\""u8;

    /// <summary>Parses a header line (without its LF). Unknown fields are ignored, so v1 can grow.</summary>
    /// <exception cref="QueueFormatException">The line is not a header this version understands.</exception>
    public static SpoolHeader Decode(ReadOnlyMemory<byte> line)
    {
        using (var document = VersionedJsonLine.Parse(line, CurrentVersion, "header", "format version"))
        {
            var root = document.RootElement;

            try
            {
                var recipients = new List<string>();
                foreach (var recipient in Required(root, "recipients").EnumerateArray())
                {
                    recipients.Add(recipient.GetString() ?? throw new QueueFormatException("null recipient"));
                }

                var envelope = new SpoolEnvelope
                {
                    Sender = RequiredString(root, "sender"),
                    Recipients = recipients,
                    ClientAddress = OptionalString(root, "client"),
                    HeloName = OptionalString(root, "helo"),
                    AuthenticatedUser = OptionalString(root, "auth"),
                    SmtpUtf8 = root.TryGetProperty("smtputf8", out var utf8) && utf8.GetBoolean(),
                    Body = ParseBody(OptionalString(root, "body")),
                    EnvelopeId = OptionalString(root, "envid"),
                    Return = ParseReturn(OptionalString(root, "ret")),
                    RecipientDsn = ReadRecipientDsn(root),
                };
                return new SpoolHeader(
                    CurrentVersion,
                    RequiredString(root, "id"),
                    Required(root, "arrival").GetDateTimeOffset(),
                    envelope);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException)
            {
                throw new QueueFormatException("header field has the wrong type", ex);
            }
        }
    }

    /// <summary>
    /// <c>"dsn": {"rcpt@example.net": {"notify": "SUCCESS,FAILURE", "orcpt": "rfc822;x@example.net"}}</c>, only for
    /// recipients that gave NOTIFY or ORCPT; absent when none did.
    /// </summary>
    private static void WriteRecipientDsn(Utf8JsonWriter json, IReadOnlyDictionary<string, RecipientDsnOptions> recipients)
    {
        if (recipients.Count == 0)
        {
            return;
        }

        json.WriteStartObject("dsn");
        foreach (var (recipient, options) in recipients)
        {
            json.WriteStartObject(recipient);
            WriteOptional(json, "notify", RecipientDsnOptions.FormatNotify(options.Notify));
            WriteOptional(json, "orcpt", options.OriginalRecipient);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static Dictionary<string, RecipientDsnOptions> ReadRecipientDsn(JsonElement root)
    {
        var recipients = new Dictionary<string, RecipientDsnOptions>(StringComparer.Ordinal);
        if (root.TryGetProperty("dsn", out var dsn) && dsn.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in dsn.EnumerateObject())
            {
                recipients[entry.Name] = new RecipientDsnOptions(
                    RecipientDsnOptions.ParseNotify(OptionalString(entry.Value, "notify")), OptionalString(entry.Value, "orcpt"));
            }
        }

        return recipients;
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static JsonElement Required(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element)
            ? element
            : throw new QueueFormatException($"header lacks \"{name}\"");

    private static string RequiredString(JsonElement root, string name) =>
        Required(root, name).GetString() ?? throw new QueueFormatException($"header \"{name}\" is null");

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) ? element.GetString() : null;

    private static string BodyName(MessageBodyType body) => body switch
    {
        MessageBodyType.EightBitMime => "8BITMIME",
        MessageBodyType.BinaryMime => "BINARYMIME",
        _ => "7BIT",
    };

    private static MessageBodyType ParseBody(string? name) => name switch
    {
        null or "7BIT" => MessageBodyType.SevenBit,
        "8BITMIME" => MessageBodyType.EightBitMime,
        "BINARYMIME" => MessageBodyType.BinaryMime,
        _ => throw new QueueFormatException($"unknown body type \"{name}\""),
    };

    private static DsnReturn ParseReturn(string? name) => name switch
    {
        null => DsnReturn.Unspecified,
        "FULL" => DsnReturn.Full,
        "HDRS" => DsnReturn.Headers,
        _ => throw new QueueFormatException($"unknown RET value \"{name}\""),
    };
}
