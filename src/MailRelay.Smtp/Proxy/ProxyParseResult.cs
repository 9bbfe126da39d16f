using System.Diagnostics.CodeAnalysis;

namespace MailRelay.Smtp.Proxy;

/// <summary>
/// The outcome of one parse attempt. <see cref="Reason"/> is one of the parser's fixed texts, never
/// peer-supplied bytes, so it is safe to log.
/// </summary>
public readonly struct ProxyParseResult : IEquatable<ProxyParseResult>
{
    private ProxyParseResult(ProxyParseStatus status, string? reason, ProxyHeader? header)
    {
        Status = status;
        Reason = reason;
        Header = header;
    }

    public static ProxyParseResult Incomplete { get; } = new(ProxyParseStatus.Incomplete, null, null);

    public ProxyParseStatus Status { get; }

    /// <summary>Why the header is invalid; null unless <see cref="Status"/> is Invalid.</summary>
    public string? Reason { get; }

    /// <summary>The header; null unless <see cref="Status"/> is Header.</summary>
    public ProxyHeader? Header { get; }

    [MemberNotNullWhen(true, nameof(Header))]
    public bool IsHeader => Status == ProxyParseStatus.Header;

    [MemberNotNullWhen(true, nameof(Reason))]
    public bool IsInvalid => Status == ProxyParseStatus.Invalid;

    public static ProxyParseResult Invalid(string reason) => new(ProxyParseStatus.Invalid, reason, null);

    public static ProxyParseResult Parsed(ProxyHeader header) => new(ProxyParseStatus.Header, null, header);

    public static bool operator ==(ProxyParseResult left, ProxyParseResult right) => left.Equals(right);

    public static bool operator !=(ProxyParseResult left, ProxyParseResult right) => !left.Equals(right);

    public bool Equals(ProxyParseResult other) =>
        Status == other.Status && Reason == other.Reason && Equals(Header, other.Header);

    public override bool Equals(object? obj) => obj is ProxyParseResult other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Status, Reason, Header);

    public override string ToString() => Status switch
    {
        ProxyParseStatus.Header => $"Header {Header}",
        ProxyParseStatus.Invalid => $"Invalid: {Reason}",
        _ => "Incomplete",
    };
}
