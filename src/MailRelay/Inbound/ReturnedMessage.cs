using MimeKit;

namespace MailRelay.Inbound;

/// <summary>
/// What a report returns of the message it is about (the text/rfc822-headers or message/rfc822 part): the fields
/// that lead back to our message and to the client's own id for it.
/// </summary>
/// <param name="MessageId">The Message-ID, without angle brackets.</param>
/// <param name="ClientId">The value of the client id header (EVENTS_CLIENT_ID_HEADER).</param>
/// <param name="ReturnPath">The Return-Path, without angle brackets: our VERP address when the report returns it.</param>
public sealed record ReturnedMessage(string? MessageId, string? ClientId, string? ReturnPath)
{
    public static ReturnedMessage None { get; } = new(null, null, null);

    /// <summary>The first returned message or header section among the report's parts.</summary>
    public static ReturnedMessage From(MultipartReport report, string clientIdHeader)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var part in report)
        {
            if (part is MessagePart { Message: { } returned })
            {
                return new ReturnedMessage(
                    Unbracket(returned.Headers[HeaderId.MessageId]),
                    Clean(returned.Headers[clientIdHeader]),
                    Unbracket(returned.Headers[HeaderId.ReturnPath]));
            }
        }

        return None;
    }

    /// <summary>A field value unfolded and trimmed; null when absent or empty.</summary>
    public static string? Clean(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var unfolded = string.Join(' ', value.Split(['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return unfolded.Length == 0 ? null : unfolded;
    }

    /// <summary>A field value without its angle brackets (and comments after them).</summary>
    public static string? Unbracket(string? value)
    {
        var clean = Clean(value);
        if (clean is null)
        {
            return null;
        }

        var open = clean.IndexOf('<', StringComparison.Ordinal);
        var close = clean.IndexOf('>', StringComparison.Ordinal);
        var inner = open >= 0 && close > open ? clean[(open + 1)..close] : clean;
        return inner.Length == 0 ? null : inner;
    }

    /// <summary>The value after a DSN type prefix (<c>rfc822;</c>, <c>dns;</c>, <c>smtp;</c>), or the whole value.</summary>
    public static string? AfterType(string? value)
    {
        var clean = Clean(value);
        if (clean is null)
        {
            return null;
        }

        var semicolon = clean.IndexOf(';', StringComparison.Ordinal);
        var rest = semicolon >= 0 ? clean[(semicolon + 1)..].Trim() : clean;
        return rest.Length == 0 ? null : rest;
    }
}
