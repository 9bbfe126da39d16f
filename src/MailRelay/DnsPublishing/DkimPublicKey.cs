using MailRelay.Dkim;

namespace MailRelay.DnsPublishing;

/// <summary>A DKIM key as DNS sees it: where it is published and the p= value.</summary>
public sealed record DkimPublicKey(string Domain, string Selector, string PublicKeyBase64)
{
    public string RecordName => $"{Selector}._domainkey.{Domain}";

    public string RecordValue => DkimTxtRecord.Value(PublicKeyBase64);
}
