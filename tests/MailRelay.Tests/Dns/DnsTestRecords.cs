namespace MailRelay.Tests.Dns;

/// <summary>The zone every DNS-backed test uses: MX hosts on distinct 127.0.0.x addresses.</summary>
public static class DnsTestRecords
{
    public static IReadOnlyList<string> All { get; } =
    [
        // Ordering: two MX hosts at preference 10, one at 20.
        "--mx-host=ordered.test,mx-b.ordered.test,20",
        "--mx-host=ordered.test,mx-a.ordered.test,10",
        "--mx-host=ordered.test,mx-c.ordered.test,10",
        "--host-record=mx-a.ordered.test,127.0.0.21",
        "--host-record=mx-b.ordered.test,127.0.0.22",
        "--host-record=mx-c.ordered.test,127.0.0.23",

        // No MX: mail goes to the domain's own address (RFC 5321 §5.1).
        "--host-record=implicit.test,127.0.0.3",

        // Null MX (RFC 7505).
        "--mx-host=nullmx.test,.,0",

        // Both address families.
        "--host-record=dual.test,127.0.0.41,::1",

        // First MX greets with 421, second accepts.
        "--mx-host=failover.test,mx1.failover.test,10",
        "--mx-host=failover.test,mx2.failover.test,20",
        "--host-record=mx1.failover.test,127.0.0.2",
        "--host-record=mx2.failover.test,127.0.0.3",

        // First MX refuses connections (nothing listens on 127.0.0.4), second accepts.
        "--mx-host=refused.test,mx1.refused.test,10",
        "--mx-host=refused.test,mx2.refused.test,20",
        "--host-record=mx1.refused.test,127.0.0.4",
        "--host-record=mx2.refused.test,127.0.0.3",

        // The only MX greets with 554.
        "--mx-host=badgreeting.test,mx.badgreeting.test,10",
        "--host-record=mx.badgreeting.test,127.0.0.5",

        // Two domains hosted by one provider (pacing state is shared by provider).
        "--mx-host=hosted-a.test,mx1.sharedprovider.test,10",
        "--mx-host=hosted-b.test,mx2.eu.sharedprovider.test,10",

        // Two domains with the same MX host list (one transaction for both), in either order of the records.
        "--mx-host=samehosts-a.test,mx1.samehosts.test,10",
        "--mx-host=samehosts-a.test,mx2.samehosts.test,20",
        "--mx-host=samehosts-b.test,mx2.samehosts.test,20",
        "--mx-host=samehosts-b.test,mx1.samehosts.test,10",
        "--host-record=mx1.samehosts.test,127.0.0.3",
        "--host-record=mx2.samehosts.test,127.0.0.3",
    ];
}
