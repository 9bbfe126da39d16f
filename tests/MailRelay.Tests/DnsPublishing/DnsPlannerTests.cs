using MailRelay.DnsPublishing;
using MailRelay.Tests.Support;

namespace MailRelay.Tests.DnsPublishing;

public class DnsPlannerTests
{
    private const string Owner = "mail/relay";

    private static readonly DesiredRecordSet Mx = new(RecordKind.Mx, "example.com", ["10 mail.example.com"], 300);
    private static readonly DesiredRecordSet Spf = new(RecordKind.Spf, "example.com", ["v=spf1 ip4:203.0.113.1 a:mail.example.com ~all"], 300);
    private static readonly DesiredRecordSet Address = new(RecordKind.A, "mail.example.com", ["203.0.113.1", "203.0.113.2"], 300);

    [Fact]
    public async Task An_empty_slot_gets_its_ownership_marker_before_its_records()
    {
        var provider = new InMemoryDnsProvider();

        var plan = await PlanAsync(provider, [Address]);

        Assert.Equal(
            [
                "create _mail-relay-owner.mail.example.com 300 TXT \"heritage=mail-relay,owner=mail/relay,kind=a,values=a1ceb3dc.cdd7d717\"",
                "create mail.example.com 300 A 203.0.113.1",
                "create mail.example.com 300 A 203.0.113.2",
            ],
            plan.Changes.Select(c => c.ToString()));
        Assert.Equal(DnsRecordState.Pending, Assert.Single(plan.Records).State);
    }

    [Fact]
    public async Task A_plan_applied_and_read_back_has_no_changes_and_everything_in_sync()
    {
        var provider = new InMemoryDnsProvider();
        await provider.ApplyAsync((await PlanAsync(provider, [Address, Mx, Spf])).Changes, CancellationToken.None);

        var again = await PlanAsync(provider, [Address, Mx, Spf]);

        Assert.Empty(again.Changes);
        Assert.All(again.Records, r => Assert.Equal(DnsRecordState.InSync, r.State));
    }

    [Fact]
    public async Task A_foreign_mx_is_a_conflict_and_is_never_touched()
    {
        var provider = new InMemoryDnsProvider();
        provider.Seed("example.com", DnsRecordType.MX, "1 aspmx.l.google.com");

        var plan = await PlanAsync(provider, [Mx]);

        Assert.Empty(plan.Changes);
        var status = Assert.Single(plan.Records);
        Assert.Equal(DnsRecordState.Conflict, status.State);
        Assert.Contains("1 aspmx.l.google.com", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_foreign_record_that_is_exactly_what_we_want_is_in_sync_but_not_taken_over()
    {
        var provider = new InMemoryDnsProvider();
        provider.Seed("example.com", DnsRecordType.MX, "10 mail.example.com");

        var plan = await PlanAsync(provider, [Mx]);

        Assert.Empty(plan.Changes);
        Assert.Equal(DnsRecordState.InSync, Assert.Single(plan.Records).State);
        Assert.Empty(plan.OwnedAfter);
    }

    [Fact]
    public async Task A_hand_written_spf_conflicts_while_an_unrelated_txt_beside_it_is_ignored()
    {
        var provider = new InMemoryDnsProvider();
        provider.Seed("example.com", DnsRecordType.TXT, "google-site-verification=abc");
        var withVerification = await PlanAsync(provider, [Spf]);
        provider.Seed("example.com", DnsRecordType.TXT, "v=spf1 include:_spf.google.com ~all");

        var withHandWrittenSpf = await PlanAsync(provider, [Spf]);

        Assert.Equal(2, withVerification.Changes.Count);
        Assert.All(withVerification.Changes, c => Assert.Equal(DnsChangeAction.Create, c.Action));
        Assert.Empty(withHandWrittenSpf.Changes);
        Assert.Equal(DnsRecordState.Conflict, Assert.Single(withHandWrittenSpf.Records).State);
    }

    [Fact]
    public async Task A_changed_value_of_ours_is_an_update_with_the_new_marker_written_first_and_the_old_removed_last()
    {
        var provider = new InMemoryDnsProvider();
        await provider.ApplyAsync((await PlanAsync(provider, [Address])).Changes, CancellationToken.None);
        var moved = Address with { Values = ["203.0.113.1", "203.0.113.9"] };

        var plan = await PlanAsync(provider, [moved]);

        Assert.Equal([DnsChangeAction.Create, DnsChangeAction.Update, DnsChangeAction.Delete], plan.Changes.Select(c => c.Action));
        Assert.Equal(OwnershipMarker.ValueFor(Owner, RecordKind.A, moved.Values), plan.Changes[0].Replacement!.Value);
        Assert.Equal("203.0.113.2", plan.Changes[1].Existing!.Value);
        Assert.Equal("203.0.113.9", plan.Changes[1].Replacement!.Value);
        Assert.NotNull(plan.Changes[1].Existing!.ProviderId);
        Assert.Equal(OwnershipMarker.ValueFor(Owner, RecordKind.A, Address.Values), plan.Changes[2].Existing!.Value);
        await provider.ApplyAsync(plan.Changes, CancellationToken.None);
        Assert.Empty((await PlanAsync(provider, [moved])).Changes);
    }

    [Fact]
    public async Task A_record_someone_adds_beside_ours_is_never_deleted_and_is_reported()
    {
        var provider = new InMemoryDnsProvider();
        await provider.ApplyAsync((await PlanAsync(provider, [Mx])).Changes, CancellationToken.None);
        provider.Seed("example.com", DnsRecordType.MX, "20 backup-mx.example.net");

        var plan = await PlanAsync(provider, [Mx]);

        Assert.Empty(plan.Changes);
        var status = Assert.Single(plan.Records);
        Assert.Equal(DnsRecordState.Conflict, status.State);
        Assert.Contains("20 backup-mx.example.net", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_marker_names_the_owner_the_kind_and_a_digest_of_each_record()
    {
        var marker = OwnershipMarker.RecordFor("mail.example.com", Owner, RecordKind.A, ["203.0.113.2", "203.0.113.1"], 300);

        Assert.Equal("_mail-relay-owner.mail.example.com", marker.Name);
        Assert.Equal("heritage=mail-relay,owner=mail/relay,kind=a,values=a1ceb3dc.cdd7d717", marker.Value);
        Assert.True(OwnershipMarker.TryParse(marker, out var content));
        Assert.Equal(("mail.example.com", Owner, RecordKind.A), (content.MarkedName, content.OwnerId, content.Kind));
        Assert.True(content.Claims(new DnsRecord("mail.example.com", DnsRecordType.A, "203.0.113.1", 300)));
        Assert.False(content.Claims(new DnsRecord("mail.example.com", DnsRecordType.A, "203.0.113.3", 300)));
    }

    [Fact]
    public async Task A_ttl_change_alone_updates_the_record()
    {
        var provider = new InMemoryDnsProvider();
        await provider.ApplyAsync((await PlanAsync(provider, [Mx])).Changes, CancellationToken.None);

        var plan = await PlanAsync(provider, [Mx with { Ttl = 3600 }]);

        var change = Assert.Single(plan.Changes);
        Assert.Equal(DnsChangeAction.Update, change.Action);
        Assert.Equal(3600, change.Replacement!.Ttl);
        Assert.Equal("10 mail.example.com", change.Replacement.Value);
    }

    [Fact]
    public async Task A_slot_of_ours_no_longer_wanted_is_deleted_records_first_marker_last()
    {
        var provider = new InMemoryDnsProvider();
        await provider.ApplyAsync((await PlanAsync(provider, [Mx, Spf])).Changes, CancellationToken.None);
        provider.Seed("example.com", DnsRecordType.TXT, "google-site-verification=abc");

        var plan = await PlanAsync(provider, [Spf], alsoRead: ["example.com", "_mail-relay-owner.example.com"]);

        Assert.Equal(
            [
                "delete example.com 300 MX 10 mail.example.com",
                "delete _mail-relay-owner.example.com 300 TXT \"heritage=mail-relay,owner=mail/relay,kind=mx,values=355360f6\"",
            ],
            plan.Changes.Select(c => c.ToString()));
    }

    [Fact]
    public async Task Records_marked_by_another_relay_are_a_conflict_even_when_empty()
    {
        var provider = new InMemoryDnsProvider();
        provider.Seed("_mail-relay-owner.example.com", DnsRecordType.TXT, "heritage=mail-relay,owner=other/relay,kind=mx,values=1f2e3d4c");
        provider.Seed("example.com", DnsRecordType.MX, "10 mx.other.example");

        var plan = await PlanAsync(provider, [Mx]);

        Assert.Empty(plan.Changes);
        var status = Assert.Single(plan.Records);
        Assert.Equal(DnsRecordState.Conflict, status.State);
        Assert.Contains("other/relay", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_relays_markers_are_not_ours_to_delete()
    {
        var provider = new InMemoryDnsProvider();
        provider.Seed("_mail-relay-owner.example.com", DnsRecordType.TXT, "heritage=mail-relay,owner=other/relay,kind=mx,values=1f2e3d4c");
        provider.Seed("example.com", DnsRecordType.MX, "10 mx.other.example");

        var plan = await PlanAsync(provider, [], alsoRead: ["example.com", "_mail-relay-owner.example.com"]);

        Assert.Empty(plan.Changes);
    }

    [Fact]
    public async Task An_exclusive_provider_gets_no_markers_and_loses_what_is_not_wanted()
    {
        var provider = new InMemoryDnsProvider(exclusive: true);
        provider.Seed("old.example.com", DnsRecordType.A, "198.51.100.7");

        var plan = await PlanAsync(provider, [Mx], exclusive: true, alsoRead: ["old.example.com"]);

        Assert.Equal(
            ["create example.com 300 MX 10 mail.example.com", "delete old.example.com 300 A 198.51.100.7"],
            plan.Changes.Select(c => c.ToString()));
    }

    private static async Task<DnsPlan> PlanAsync(
        InMemoryDnsProvider provider, DesiredRecordSet[] desired, bool exclusive = false, string[]? alsoRead = null)
    {
        var names = desired.Select(d => d.Name).Concat(alsoRead ?? []).ToList();
        names.AddRange(names.Select(OwnershipMarker.NameFor).ToArray());
        var published = await provider.ReadAsync(names, CancellationToken.None);
        return DnsPlanner.Plan(desired, published, Owner, exclusive);
    }
}
