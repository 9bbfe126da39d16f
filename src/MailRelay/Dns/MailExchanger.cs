namespace MailRelay.Dns;

/// <summary>One MX record: the host name (without the trailing dot) and its preference.</summary>
public sealed record MailExchanger(string Host, int Preference);
