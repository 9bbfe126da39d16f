namespace MailRelay.DnsPublishing;

/// <summary>The record types the relay publishes and reads back.</summary>
public enum DnsRecordType
{
    A,
    AAAA,
    MX,
    TXT,
}
