using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Kubernetes;

namespace MailRelay.Tests.DnsPublishing.Kubernetes;

/// <summary>Record sets written by hand or by another tool read as the planner's canonical records, and survive its changes.</summary>
public sealed class DnsEndpointRecordsTests
{
    [Fact]
    public void Targets_written_by_hand_read_in_canonical_form()
    {
        DnsEndpointEntry[] entries =
        [
            new() { DnsName = "Example.COM.", RecordType = "MX", Targets = ["10  Mail.Example.COM."], RecordTtl = 300 },
            new() { DnsName = "mail.example.com", RecordType = "AAAA", Targets = ["2001:0db8:0000::0001"] },
            new() { DnsName = "www.example.com", RecordType = "CNAME", Targets = ["example.com"] },
            new() { DnsName = "geo.example.com", RecordType = "A", Targets = ["192.0.2.1"], SetIdentifier = "eu" },
        ];

        Assert.Equal(
            [new DnsRecord("example.com", DnsRecordType.MX, "10 mail.example.com", 300), new DnsRecord("mail.example.com", DnsRecordType.AAAA, "2001:db8::1", 0)],
            DnsEndpointRecords.ToRecords(entries));
    }

    [Fact]
    public void Changes_leave_other_record_sets_and_provider_settings_alone_and_drop_emptied_sets()
    {
        var cname = new DnsEndpointEntry { DnsName = "www.example.com", RecordType = "CNAME", Targets = ["example.com"] };
        var mx = new DnsEndpointEntry
        {
            DnsName = "example.com",
            RecordType = "MX",
            Targets = ["10 mail.example.com"],
            RecordTtl = 300,
            ProviderSpecific = System.Text.Json.JsonDocument.Parse("""[{"name":"aws/evaluate-target-health","value":"true"}]""").RootElement,
        };
        var a = new DnsEndpointEntry { DnsName = "mail.example.com", RecordType = "A", Targets = ["192.0.2.10"], RecordTtl = 300 };
        var oldA = new DnsRecord("mail.example.com", DnsRecordType.A, "192.0.2.10", 300);
        var oldMx = new DnsRecord("example.com", DnsRecordType.MX, "10 mail.example.com", 300);
        var newMx = oldMx with { Value = "20 mail.example.com", Ttl = 900 };

        var result = DnsEndpointRecords.Apply([cname, mx, a], [DnsChange.Update(oldMx, newMx), DnsChange.Delete(oldA)]);

        Assert.Equal(["www.example.com", "example.com"], result.Select(entry => entry.DnsName));
        Assert.Equal(["20 mail.example.com"], result[1].Targets);
        Assert.Equal(900, result[1].RecordTtl);
        Assert.Equal(mx.ProviderSpecific.ToString(), result[1].ProviderSpecific.ToString());
        Assert.Equal(["10 mail.example.com"], mx.Targets);
    }
}
