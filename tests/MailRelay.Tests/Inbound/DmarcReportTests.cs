using System.IO.Compression;
using System.Text;
using MailRelay.Inbound;
using MailRelay.Inbound.Dmarc;
using MailRelay.Tests.Integration;

namespace MailRelay.Tests.Inbound;

/// <summary>DMARC aggregate reports in the formats they arrive in, and the bounds against hostile ones.</summary>
public class DmarcReportTests
{
    public static TheoryData<string, string, string[]> ProviderReports => new()
    {
        // The sample, and metric lines it must produce (reporter, disposition, dkim, spf and source lines).
        {
            "google-zip",
            InboundSamples.GoogleMessage("dmarc@ours.example"),
            [
                "mailrelay_dmarc_messages_total{reporter=\"google.com\",disposition=\"none\",dkim=\"pass\",spf=\"pass\"} 41",
                "mailrelay_dmarc_messages_total{reporter=\"google.com\",disposition=\"none\",dkim=\"fail\",spf=\"pass\"} 3",
                "mailrelay_dmarc_source_messages_total{source_ip=\"203.0.113.25\",result=\"pass\"} 41",
                "mailrelay_dmarc_source_messages_total{source_ip=\"198.51.100.77\",result=\"pass\"} 3",
            ]
        },
        {
            "microsoft-gzip",
            InboundSamples.MicrosoftMessage("dmarc@ours.example"),
            [
                "mailrelay_dmarc_messages_total{reporter=\"Enterprise Outlook\",disposition=\"quarantine\",dkim=\"fail\",spf=\"fail\"} 5",
                "mailrelay_dmarc_source_messages_total{source_ip=\"192.0.2.200\",result=\"fail\"} 5",
            ]
        },
        {
            "yahoo-gzip",
            InboundSamples.YahooMessage("dmarc@ours.example"),
            [
                "mailrelay_dmarc_messages_total{reporter=\"Yahoo\",disposition=\"none\",dkim=\"pass\",spf=\"fail\"} 7",
                "mailrelay_dmarc_source_messages_total{source_ip=\"203.0.113.25\",result=\"pass\"} 7",
            ]
        },
        {
            "rfc7489-schema-xml",
            InboundSamples.SchemaMessage("dmarc@ours.example"),
            [
                "mailrelay_dmarc_messages_total{reporter=\"receiver.example\",disposition=\"none\",dkim=\"pass\",spf=\"pass\"} 2",
                "mailrelay_dmarc_messages_total{reporter=\"receiver.example\",disposition=\"reject\",dkim=\"fail\",spf=\"fail\"} 1",
                "mailrelay_dmarc_source_messages_total{source_ip=\"2001:db8::25\",result=\"fail\"} 1",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(ProviderReports))]
    public async Task A_report_in_a_providers_format_shows_up_in_the_metrics(string name, string message, string[] lines)
    {
        await using var harness = new InboundHarness();

        var reply = await harness.ProcessAsync(message, "", "dmarc@ours.example");

        Assert.True(reply.StartsWith("250 2.0.0 Ok: processed", StringComparison.Ordinal), $"{name}: {reply}");
        var metrics = harness.MetricsText();
        Assert.Contains("mailrelay_dmarc_reports_total{result=\"parsed\"} 1", metrics, StringComparison.Ordinal);
        foreach (var line in lines)
        {
            Assert.Contains(line, metrics, StringComparison.Ordinal);
        }

        Assert.Equal(1, harness.InboundMetrics.Value(InboundKind.DmarcReport, InboundOutcome.Processed));
        Assert.Empty(harness.KeptFiles());
    }

    [Fact]
    public async Task A_report_older_than_the_maximum_age_is_counted_as_too_old_and_nothing_else()
    {
        await using var harness = new InboundHarness(maxReportAge: TimeSpan.FromDays(1));

        var reply = await harness.ProcessAsync(InboundSamples.GoogleMessage("dmarc@ours.example"), "", "dmarc@ours.example");

        Assert.StartsWith("250 ", reply, StringComparison.Ordinal);
        Assert.Equal(1, harness.DmarcMetrics.Reports("too_old"));
        Assert.Equal(0, harness.DmarcMetrics.Reports("parsed"));
        Assert.DoesNotContain("mailrelay_dmarc_messages_total{", harness.MetricsText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_maximum_age_an_old_report_is_parsed()
    {
        await using var harness = new InboundHarness(maxReportAge: TimeSpan.Zero);
        harness.Time.Advance(TimeSpan.FromDays(3000));

        await harness.ProcessAsync(InboundSamples.GoogleMessage("dmarc@ours.example"), "", "dmarc@ours.example");

        Assert.Equal(1, harness.DmarcMetrics.Reports("parsed"));
    }

    [Fact]
    public async Task A_stored_report_is_a_json_file_named_by_day_and_reporter_and_written_once_per_report()
    {
        await using var harness = new InboundHarness(storeReports: true);

        await harness.ProcessAsync(InboundSamples.MicrosoftMessage("dmarc@ours.example"), "", "dmarc@ours.example");
        await harness.ProcessAsync(InboundSamples.MicrosoftMessage("dmarc@ours.example"), "", "dmarc@ours.example");

        var file = Assert.Single(Directory.GetFiles(harness.Settings.DmarcReports.StorePath));
        Assert.StartsWith("20261205-enterprise-outlook-", Path.GetFileName(file), StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Assert.Equal("Enterprise Outlook", json.RootElement.GetProperty("org_name").GetString());
        Assert.Equal("ours.example", json.RootElement.GetProperty("domain").GetString());
        var record = Assert.Single(json.RootElement.GetProperty("records").EnumerateArray());
        Assert.Equal("192.0.2.200", record.GetProperty("source_ip").GetString());
        Assert.Equal(5, record.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task A_malformed_report_is_counted_and_kept_for_a_person()
    {
        await using var harness = new InboundHarness();
        var broken = InboundSamples.ReportMessage("reports@receiver.example", "dmarc@ours.example", "receiver.example!ours.example!1!2.xml", "text/xml",
            Encoding.UTF8.GetBytes(InboundSamples.GoogleReport.Replace("</feedback>", "", StringComparison.Ordinal)));

        var reply = await harness.ProcessAsync(broken, "", "dmarc@ours.example");

        Assert.StartsWith("250 2.0.0 Ok: kept", reply, StringComparison.Ordinal);
        Assert.Equal(1, harness.DmarcMetrics.Reports("malformed"));
        Assert.Single(harness.KeptFiles());
        Assert.Equal(1, harness.InboundMetrics.Value(InboundKind.DmarcReport, InboundOutcome.Kept));
    }

    [Fact]
    public void An_xml_entity_bomb_is_refused_without_expanding_anything()
    {
        var bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE feedback [
              <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
              <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
              <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
              <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
            ]>
            <feedback><report_metadata><org_name>&d;</org_name></report_metadata></feedback>
            """;

        var error = Assert.Throws<DmarcReportException>(() => DmarcReportParser.Parse(new MemoryStream(Encoding.UTF8.GetBytes(bomb))));

        Assert.Contains("DTD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gzip_bomb_is_refused_at_the_uncompressed_bound()
    {
        await using var harness = new InboundHarness();
        var xml = "<feedback>" + new string(' ', (int)DmarcReportExtractor.MaxReportBytes) + "</feedback>";
        var message = InboundSamples.ReportMessage("reports@receiver.example", "dmarc@ours.example", "bomb.xml.gz", "application/gzip", InboundSamples.Gzip(xml));

        var reply = await harness.ProcessAsync(message, "", "dmarc@ours.example");

        Assert.StartsWith("250 2.0.0 Ok: kept", reply, StringComparison.Ordinal);
        Assert.Equal(1, harness.DmarcMetrics.Reports("malformed"));
    }

    [Fact]
    public void A_zip_entry_beyond_the_bound_is_refused_before_it_is_read()
    {
        using var archive = new MemoryStream();
        using (var zip = new ZipArchive(archive, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("report.xml").Open();
            var block = new byte[1 << 20];
            for (var i = 0; i <= DmarcReportExtractor.MaxReportBytes >> 20; i++)
            {
                entry.Write(block);
            }
        }

        var part = new MimeKit.MimePart("application", "zip") { Content = new MimeKit.MimeContent(new MemoryStream(archive.ToArray())) };

        var error = Assert.Throws<DmarcReportException>(() => DmarcReportExtractor.Read(part, DmarcReportFormat.Zip));

        Assert.Contains("uncompressed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Source_addresses_past_the_cap_are_counted_as_other()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new DmarcMetrics(registry);
        var records = Enumerable.Range(0, DmarcMetrics.MaxSourceIps + 50)
            .Select(i => new DmarcReportRecord($"10.0.{i / 256}.{i % 256}", 1, "none", "pass", "pass", "ours.example", null, [], []))
            .ToArray();

        metrics.Parsed(new DmarcReport
        {
            OrgName = "big.example",
            ReportId = "1",
            Begin = InboundHarness.Now,
            End = InboundHarness.Now,
            Domain = "ours.example",
            Records = records,
        });

        using var output = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(output);
        var samples = MetricSample.ParseAll(Encoding.UTF8.GetString(output.ToArray())).Where(s => s.Name == "mailrelay_dmarc_source_messages_total").ToArray();
        Assert.Equal(DmarcMetrics.MaxSourceIps + 1, samples.Length);
        Assert.Equal(50, samples.Single(s => s.Labels["source_ip"] == DmarcMetrics.OtherLabel).Value);
    }
}
