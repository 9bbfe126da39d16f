using System.Text;
using MailRelay.Queue;

namespace MailRelay.Events;

/// <summary>
/// The Message-ID and the client's correlation id (the header named by EVENTS_CLIENT_ID_HEADER) of a queued message,
/// read from its header section, which delivery events carry.
/// </summary>
public sealed record MessageCorrelation(string? MessageId, string? ClientId)
{
    /// <summary>Bytes of the header section looked at: the fields we want are near the top, and a read is bounded.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    /// <summary>Longest value kept (RFC 5322's line limit): a longer one is cut.</summary>
    public const int MaxValueLength = 998;

    public static MessageCorrelation None { get; } = new(null, null);

    /// <summary>Reads the fields from a queued message, wherever it is kept (no further than its own bytes).</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static MessageCorrelation Read(QueueEntry entry, string clientIdHeader)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var file = entry.OpenContent(new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
        });
        var buffer = new byte[(int)Math.Min(MaxHeaderBytes, entry.Size)];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = file.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        return Parse(buffer.AsSpan(0, length), clientIdHeader);
    }

    /// <summary>The fields from the start of a message (its header section, or the first bytes of it).</summary>
    public static MessageCorrelation Parse(ReadOnlySpan<byte> message, string clientIdHeader)
    {
        ArgumentNullException.ThrowIfNull(clientIdHeader);
        string? messageId = null;
        string? clientId = null;
        string? name = null;
        var value = new StringBuilder();

        void Finish()
        {
            if (name is null)
            {
                return;
            }

            var text = value.ToString().Trim();
            if (text.Length > MaxValueLength)
            {
                text = text[..MaxValueLength];
            }

            if (messageId is null && name.Equals("Message-ID", StringComparison.OrdinalIgnoreCase))
            {
                messageId = text.Trim('<', '>', ' ');
            }
            else if (clientId is null && name.Equals(clientIdHeader, StringComparison.OrdinalIgnoreCase))
            {
                clientId = text;
            }

            name = null;
            value.Clear();
        }

        while (!message.IsEmpty)
        {
            var end = message.IndexOf((byte)'\n');
            var complete = end >= 0;
            var line = complete ? message[..end] : message;
            message = complete ? message[(end + 1)..] : [];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                // The blank line: the header section ends.
                break;
            }

            if (line[0] is (byte)' ' or (byte)'\t')
            {
                if (name is not null && value.Length <= MaxValueLength)
                {
                    value.Append(Encoding.UTF8.GetString(line));
                }

                continue;
            }

            Finish();
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !complete)
            {
                continue;
            }

            name = Encoding.ASCII.GetString(line[..colon]).TrimEnd();
            value.Append(Encoding.UTF8.GetString(line[(colon + 1)..]));
        }

        Finish();
        return new MessageCorrelation(string.IsNullOrEmpty(messageId) ? null : messageId, string.IsNullOrEmpty(clientId) ? null : clientId);
    }
}
