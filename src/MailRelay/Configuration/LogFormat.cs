namespace MailRelay.Configuration;

/// <summary>How log events are written to stdout.</summary>
public enum LogFormat
{
    /// <summary>One human-readable line per event.</summary>
    Text,

    /// <summary>One JSON object per line (compact log event format).</summary>
    Json,
}
