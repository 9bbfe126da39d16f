namespace MailRelay.DnsPublishing;

public enum DnsChangeAction
{
    Create,
    Update,
    Delete,
}
