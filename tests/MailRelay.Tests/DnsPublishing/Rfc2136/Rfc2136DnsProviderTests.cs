using System.Security.Cryptography;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Rfc2136;
using MailRelay.Tests.Support;
using static MailRelay.Tests.DnsPublishing.Rfc2136.BindProviders;

namespace MailRelay.Tests.DnsPublishing.Rfc2136;

/// <summary>The RFC 2136 provider against a real BIND 9, cross-checked with dig and nsupdate.</summary>
[Collection(BindTestGroup.Name)]
public sealed class Rfc2136DnsProviderTests(BindFixture bind)
{
    private readonly BindServer _server = bind.Server;

    [Fact]
    public async Task Created_A_AAAA_MX_and_long_DKIM_TXT_read_back_as_written()
    {
        var host = UniqueName("host");
        var dkimName = "mail._domainkey." + host;
        var dkim = DkimValue();
        List<DnsRecord> written =
        [
            new(host, DnsRecordType.A, "192.0.2.10", 300),
            new(host, DnsRecordType.AAAA, "2001:db8::10", 300),
            // BIND refuses an MX whose target in the zone has no address (check-integrity): the A comes in the same UPDATE.
            new(host, DnsRecordType.MX, "10 " + host, 600),
            new(dkimName, DnsRecordType.TXT, dkim, 3600),
        ];
        var provider = Signed(_server);

        await provider.ApplyAsync([.. written.Select(DnsChange.Create)], CancellationToken.None);

        Assert.True(dkim.Length > 255);
        Assert.Equal(written.Take(3), await ReadAtAsync(provider, host));
        Assert.Equal([written[3]], await ReadAtAsync(provider, dkimName));
    }

    [Fact]
    public async Task Long_TXT_goes_out_as_255_octet_strings_that_dig_shows()
    {
        var name = "sel._domainkey." + UniqueName("dig");
        var dkim = DkimValue();

        await Signed(_server).ApplyAsync([DnsChange.Create(new(name, DnsRecordType.TXT, dkim, 300))], CancellationToken.None);

        var strings = QuotedStrings(_server.Dig(name, "TXT", "+short"));
        Assert.Equal([255, dkim.Length - 255], strings.Select(s => s.Length));
        Assert.Equal(dkim, string.Concat(strings));
    }

    [Fact]
    public async Task Update_replaces_the_record_in_one_UPDATE_message()
    {
        var name = UniqueName("update");
        var provider = Signed(_server);
        await provider.ApplyAsync([DnsChange.Create(new(name, DnsRecordType.A, "192.0.2.20", 300))], CancellationToken.None);
        var existing = Assert.Single(await ReadAtAsync(provider, name));
        var serial = _server.Serial("example.com");

        var replacement = new DnsRecord(name, DnsRecordType.A, "192.0.2.21", 300);
        await provider.ApplyAsync([DnsChange.Update(existing, replacement)], CancellationToken.None);

        Assert.Equal([replacement], await ReadAtAsync(provider, name));
        Assert.Equal("192.0.2.21", _server.Dig(name, "A", "+short").Trim());
        // The delete and the add were one transaction: the zone's serial moved once.
        Assert.Equal(serial + 1, _server.Serial("example.com"));
    }

    [Fact]
    public async Task Delete_removes_exactly_one_RR_and_leaves_the_sibling_TXT()
    {
        var name = UniqueName("delete");
        var provider = Signed(_server);
        var spf = new DnsRecord(name, DnsRecordType.TXT, "v=spf1 a -all", 300);
        var verification = new DnsRecord(name, DnsRecordType.TXT, "site-verification=4f1c", 300);
        await provider.ApplyAsync([DnsChange.Create(spf), DnsChange.Create(verification)], CancellationToken.None);
        Assert.Equal([verification, spf], await ReadAtAsync(provider, name));

        await provider.ApplyAsync([DnsChange.Delete(spf)], CancellationToken.None);

        Assert.Equal([verification], await ReadAtAsync(provider, name));
    }

    [Fact]
    public async Task Delete_of_a_TXT_written_elsewhere_in_other_strings_removes_it()
    {
        var name = UniqueName("handmade");
        _server.NsUpdate($"update add {name} 300 TXT \"v=spf1 \" \"-all\"");
        var provider = Signed(_server);
        var read = Assert.Single(await ReadAtAsync(provider, name));
        Assert.Equal("v=spf1 -all", read.Value);

        await provider.ApplyAsync([DnsChange.Delete(read)], CancellationToken.None);

        Assert.Empty(await ReadAtAsync(provider, name));
        Assert.Equal(string.Empty, _server.Dig(name, "TXT", "+short").Trim());
    }

    [Fact]
    public async Task Zone_is_found_by_SOA_for_a_name_deep_in_the_zone()
    {
        var name = "a.b.c." + UniqueName("deep", "example.org");
        var record = new DnsRecord(name, DnsRecordType.TXT, "v=DMARC1; p=reject", 300);
        var serial = _server.Serial("example.org");

        await Signed(_server).ApplyAsync([DnsChange.Create(record)], CancellationToken.None);

        Assert.Equal("\"v=DMARC1; p=reject\"", _server.Dig(name, "TXT", "+short").Trim());
        Assert.Equal(serial + 1, _server.Serial("example.org"));
    }

    [Fact]
    public async Task Changes_in_two_zones_each_reach_their_zone()
    {
        var inCom = new DnsRecord(UniqueName("two"), DnsRecordType.A, "192.0.2.30", 300);
        var inOrg = new DnsRecord(UniqueName("two", "example.org"), DnsRecordType.A, "192.0.2.31", 300);
        var provider = Signed(_server);

        await provider.ApplyAsync([DnsChange.Create(inCom), DnsChange.Create(inOrg)], CancellationToken.None);

        Assert.Equal([inCom, inOrg], await provider.ReadAsync([inCom.Name, inOrg.Name], CancellationToken.None));
    }

    [Fact]
    public async Task Reading_a_name_that_does_not_exist_gives_no_records()
    {
        Assert.Empty(await Signed(_server).ReadAsync([UniqueName("absent")], CancellationToken.None));
    }

    [Fact]
    public async Task Wrong_TSIG_secret_fails_with_BADSIG_and_never_shows_a_secret()
    {
        var wrong = _server.Key with { Secret = RandomNumberGenerator.GetBytes(32) };
        var log = new RecordingLogger<Rfc2136DnsProvider>();
        var name = UniqueName("badsig");

        var failure = await Assert.ThrowsAsync<DnsProviderException>(() => Signed(_server, wrong, log)
            .ApplyAsync([DnsChange.Create(new(name, DnsRecordType.A, "192.0.2.40", 300))], CancellationToken.None));

        Assert.Contains("NOTAUTH", failure.Message, StringComparison.Ordinal);
        Assert.Contains("BADSIG", failure.Message, StringComparison.Ordinal);
        Assert.Contains(BindServer.KeyName, failure.Message, StringComparison.Ordinal);
        foreach (var text in log.Messages.Append(failure.ToString()))
        {
            Assert.DoesNotContain(wrong.SecretBase64, text, StringComparison.Ordinal);
            Assert.DoesNotContain(_server.Key.SecretBase64, text, StringComparison.Ordinal);
        }

        Assert.Contains(log.Messages, message => message.Contains("BADSIG", StringComparison.Ordinal));
        Assert.Equal(string.Empty, _server.Dig(name, "A", "+short").Trim());
    }

    [Fact]
    public async Task Unsigned_update_to_a_zone_that_requires_a_key_is_REFUSED()
    {
        var name = UniqueName("unsigned");

        var failure = await Assert.ThrowsAsync<DnsProviderException>(() => Unsigned(_server)
            .ApplyAsync([DnsChange.Create(new(name, DnsRecordType.A, "192.0.2.50", 300))], CancellationToken.None));

        Assert.Contains("REFUSED", failure.Message, StringComparison.Ordinal);
        Assert.Equal(string.Empty, _server.Dig(name, "A", "+short").Trim());
    }

    [Fact]
    public async Task Name_in_no_zone_of_the_server_fails_with_the_servers_answer()
    {
        var failure = await Assert.ThrowsAsync<DnsProviderException>(() => Signed(_server)
            .ApplyAsync([DnsChange.Create(new("mail.example.net", DnsRecordType.A, "192.0.2.60", 300))], CancellationToken.None));

        Assert.Contains("holds no zone for mail.example.net", failure.Message, StringComparison.Ordinal);
        Assert.Contains("REFUSED", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hmac-sha512")]
    [InlineData("hmac-sha224")]
    [InlineData("hmac-sha1")]
    [InlineData("hmac-md5")]
    public async Task Each_usable_TSIG_algorithm_signs_updates_BIND_accepts(string algorithm)
    {
        var record = new DnsRecord(UniqueName(algorithm), DnsRecordType.A, "192.0.2.70", 300);
        var provider = Signed(_server, _server.Keys[algorithm]);

        await provider.ApplyAsync([DnsChange.Create(record)], CancellationToken.None);

        Assert.Equal([record], await ReadAtAsync(provider, record.Name));
    }

    [Fact]
    public void Hmac_sha384_is_refused_when_the_provider_is_made()
    {
        var failure = Assert.Throws<ArgumentException>(() => Signed(_server, _server.Keys["hmac-sha384"]));

        Assert.Contains("DNS_RFC2136_TSIG_ALGORITHM=hmac-sha384", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_without_a_secret_is_refused_when_the_provider_is_made()
    {
        var failure = Assert.Throws<ArgumentException>(() => Signed(_server, _server.Key with { Secret = [] }));

        Assert.Contains("DNS_RFC2136_TSIG_SECRET is empty", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>A DKIM record as the relay publishes it: 2048-bit RSA, about 410 characters.</summary>
    private static string DkimValue()
    {
        using var rsa = RSA.Create(2048);
        return "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
    }
}
