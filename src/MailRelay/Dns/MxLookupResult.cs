namespace MailRelay.Dns;

/// <summary>
/// The outcome of an MX lookup. <see cref="Exchangers"/> is in delivery order (preference, random among
/// equals) and non-empty only for <see cref="MxLookupStatus.Found"/>; <see cref="Detail"/> says what the
/// DNS answered, for replies and logs.
/// </summary>
public sealed record MxLookupResult(MxLookupStatus Status, IReadOnlyList<MailExchanger> Exchangers, string Detail);
