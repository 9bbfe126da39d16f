using System.Buffers;
using MailRelay.Queue;

namespace MailRelay.Fuzz.Targets;

/// <summary>
/// The queue's JSON lines (docs/queue-format.md). The first byte picks the mode: decode an envelope header
/// or a state record from the raw bytes (only <see cref="QueueFormatException"/> may refuse it; what decodes
/// encodes again to a line that decodes to the same value and encodes to the same bytes), or build a header
/// or a record from the bytes and check decode(encode(x)) == x.
/// </summary>
internal static class QueueCodecTarget
{
    private static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        switch (input[0] % 4)
        {
            case 0:
                DecodeHeader(input.AsMemory(1));
                break;
            case 1:
                DecodeRecord(input.AsMemory(1));
                break;
            case 2:
                RoundTripHeader(BuildHeader(new FuzzReader(input, 1)));
                break;
            default:
                RoundTripRecord(BuildRecord(new FuzzReader(input, 1)));
                break;
        }
    }

    private static void DecodeHeader(ReadOnlyMemory<byte> line)
    {
        SpoolHeader header;
        try
        {
            header = SpoolHeaderCodec.Decode(line);
        }
        catch (QueueFormatException)
        {
            return;
        }

        var encoded = SpoolHeaderCodec.Encode(header);
        var again = RoundTripHeader(header);
        Invariant.SameBytes(encoded, SpoolHeaderCodec.Encode(again), "a decoded header encodes to the same bytes after a round trip");
    }

    private static void DecodeRecord(ReadOnlyMemory<byte> line)
    {
        StateRecord record;
        try
        {
            record = StateRecordCodec.Decode(line);
        }
        catch (QueueFormatException)
        {
            return;
        }

        var again = RoundTripRecord(record);
        Invariant.SameBytes(Encode(record), Encode(again), "a decoded record encodes to the same bytes after a round trip");
    }

    private static SpoolHeader RoundTripHeader(SpoolHeader header)
    {
        var encoded = SpoolHeaderCodec.Encode(header);
        Invariant.Holds(encoded.Length > 0 && encoded[^1] == (byte)'\n', "a header is one line ending in LF");
        Invariant.Holds(Array.IndexOf(encoded, (byte)'\n') == encoded.Length - 1, "a header has no other LF");
        var decoded = SpoolHeaderCodec.Decode(encoded.AsMemory(0, encoded.Length - 1));
        Invariant.Equal(Describe(header), Describe(decoded), "decode(encode(header)) == header");
        return decoded;
    }

    private static StateRecord RoundTripRecord(StateRecord record)
    {
        var encoded = Encode(record);
        Invariant.Holds(encoded.Length > 0 && encoded[^1] == (byte)'\n', "a record is one line ending in LF");
        Invariant.Holds(Array.IndexOf(encoded, (byte)'\n') == encoded.Length - 1, "a record has no other LF");
        var decoded = StateRecordCodec.Decode(encoded.AsMemory(0, encoded.Length - 1));
        Invariant.Equal(Describe(record), Describe(decoded), "decode(encode(record)) == record");
        return decoded;
    }

    private static byte[] Encode(StateRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        StateRecordCodec.Encode(record, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static SpoolHeader BuildHeader(FuzzReader reader)
    {
        var recipients = Enumerable.Range(0, reader.Byte() % 4).Select(_ => reader.String()).ToList();
        var dsn = new Dictionary<string, RecipientDsnOptions>(StringComparer.Ordinal);
        foreach (var recipient in recipients.Where(_ => reader.Bool()))
        {
            dsn[recipient] = new RecipientDsnOptions(Notify(reader.Byte()), reader.OptionalString());
        }

        var envelope = new SpoolEnvelope
        {
            Sender = reader.String(),
            Recipients = recipients,
            ClientAddress = reader.OptionalString(),
            HeloName = reader.OptionalString(),
            AuthenticatedUser = reader.OptionalString(),
            SmtpUtf8 = reader.Bool(),
            Body = (MessageBodyType)(reader.Byte() % 3),
            EnvelopeId = reader.OptionalString(),
            Return = (DsnReturn)(reader.Byte() % 3),
            RecipientDsn = dsn,
        };
        return new SpoolHeader(SpoolHeaderCodec.CurrentVersion, reader.String(), Time(reader), envelope);
    }

    private static StateRecord BuildRecord(FuzzReader reader)
    {
        var time = Time(reader);
        switch (reader.Byte() % 3)
        {
            case 0:
                var state = new RecipientState(reader.String(), (RecipientStatus)(reader.Byte() % 4))
                {
                    Attempts = reader.Int32() & int.MaxValue,
                    LastAttempt = reader.Bool() ? Time(reader) : null,
                    NextAttempt = reader.Bool() ? Time(reader) : null,
                    LastReply = reader.OptionalString(),
                    StatusCode = reader.OptionalString(),
                    Relay = reader.OptionalString(),
                    Notified = reader.Bool(),
                    Warned = reader.Bool(),
                };
                return StateRecord.ForRecipient(state, time);
            case 1:
                return StateRecord.ForHold(reader.Bool(), time);
            default:
                return StateRecord.ForNotified([.. Enumerable.Range(0, reader.Byte() % 4).Select(_ => reader.String())], time);
        }
    }

    // What the relay writes: NEVER alone, or any mix of the other three (RFC 3461 §4.1).
    private static DsnNotify Notify(byte b) => (b & 1) == 1 ? DsnNotify.Never : (DsnNotify)(b & 0b1110);

    /// <summary>Any instant in ±100 years of 2000, to the tick, with an offset of whole minutes.</summary>
    private static DateTimeOffset Time(FuzzReader reader)
    {
        var ticks = reader.Int64() % (TimeSpan.TicksPerDay * 36525);
        var offset = TimeSpan.FromMinutes((reader.Byte() % 49) * 30 - 720);
        return (Epoch + TimeSpan.FromTicks(ticks)).ToOffset(offset);
    }

    private static string Describe(SpoolHeader header)
    {
        var e = header.Envelope;
        var dsn = string.Join(";", e.RecipientDsn.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.Notify}/{p.Value.OriginalRecipient}"));
        return $"{header.Version}|{header.QueueId}|{header.ArrivalTime.UtcTicks}|{e.Sender}|{string.Join(",", e.Recipients)}|{e.Recipients.Count}|"
            + $"{e.ClientAddress}|{e.HeloName}|{e.AuthenticatedUser}|{e.SmtpUtf8}|{e.Body}|{e.EnvelopeId}|{e.Return}|{dsn}|"
            + $"{e.ClientAddress is null}{e.HeloName is null}{e.AuthenticatedUser is null}{e.EnvelopeId is null}";
    }

    private static string Describe(StateRecord record)
    {
        var r = record.Recipient;
        var recipient = r is null ? "-" : $"{r.Recipient}|{r.Status}|{r.Attempts}|{r.LastAttempt?.UtcTicks}|{r.NextAttempt?.UtcTicks}|{r.LastReply}|{r.StatusCode}|{r.Relay}|{r.Notified}|{r.Warned}|"
            + $"{r.LastReply is null}{r.StatusCode is null}{r.Relay is null}";
        var notified = record.Notified is null ? "-" : string.Join(",", record.Notified) + "|" + record.Notified.Count;
        return $"{record.Time.UtcTicks}|{recipient}|{record.Held}|{notified}";
    }
}
