using System.Text;

namespace MailRelay.Inbound;

/// <summary>The message as it is kept or forwarded: its trace fields on top, then the content exactly as received.</summary>
internal static class InboundCopy
{
    /// <summary>
    /// <c>Return-Path</c>, <c>Delivered-To</c>, the verification's <c>Authentication-Results</c> (when there is one) and
    /// our <c>Received</c>, each CRLF-terminated.
    /// </summary>
    public static byte[] TraceFields(InboundMessage message, string? authenticationResults)
    {
        var builder = new StringBuilder(512);
        builder.Append("Return-Path: <").Append(message.Sender).Append(">\r\n");
        builder.Append("Delivered-To: ").Append(string.Join(", ", message.Recipients)).Append("\r\n");
        if (!string.IsNullOrWhiteSpace(authenticationResults))
        {
            var field = authenticationResults.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').TrimEnd('\n');
            builder.Append(field.Replace("\n", "\r\n", StringComparison.Ordinal)).Append("\r\n");
        }

        builder.Append(message.TraceHeader);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>Copies the received content to <paramref name="sink"/> in blocks.</summary>
    public static async Task CopyContentAsync(InboundMessage message, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink, CancellationToken cancellationToken)
    {
        await using var content = new FileStream(message.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await sink(buffer.AsMemory(0, read), cancellationToken);
        }
    }
}
