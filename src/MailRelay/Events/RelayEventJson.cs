using System.Text.Json;

namespace MailRelay.Events;

/// <summary>The JSON of an event as the outbox stores it and the webhooks send it (docs/events.md).</summary>
public static class RelayEventJson
{
    /// <summary>The event as one line of UTF-8 JSON, without a line end, carrying <paramref name="sequence"/>.</summary>
    public static byte[] Serialize(RelayEvent relayEvent, long sequence)
    {
        ArgumentNullException.ThrowIfNull(relayEvent);
        return JsonSerializer.SerializeToUtf8Bytes(OutboxLine.From(relayEvent, sequence), EventJsonContext.Default.OutboxLine);
    }

    /// <summary>Reads an event line back; null when it is not one.</summary>
    public static (long Sequence, RelayEvent Event)? Parse(ReadOnlySpan<byte> json)
    {
        if (TryParseLine(json) is not { } line)
        {
            return null;
        }

        return (line.Seq, line.ToEvent());
    }

    internal static OutboxLine? TryParseLine(ReadOnlySpan<byte> json)
    {
        try
        {
            var line = JsonSerializer.Deserialize(json, EventJsonContext.Default.OutboxLine);
            return line is { Seq: > 0 } && !string.IsNullOrEmpty(line.Id) && !string.IsNullOrEmpty(line.Type) ? line : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
