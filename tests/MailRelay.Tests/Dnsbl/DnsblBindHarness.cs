using System.Globalization;
using MailRelay.Configuration;
using MailRelay.Dns;
using MailRelay.Dnsbl;
using MailRelay.Tests.Configuration;
using MailRelay.Tests.Integration;
using MailRelay.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace MailRelay.Tests.Dnsbl;

/// <summary>
/// Blocklists served by the shared BIND: zones of their own under example.com (a fresh tag per test), whose entries a
/// test adds and removes with nsupdate while the monitor runs, as a list operator would.
/// </summary>
internal sealed class DnsblBindHarness : IDisposable
{
    public const string Address = "203.0.113.7";
    public const string Address6 = "2001:db8::25";
    public const string Domain = "sender.example";

    private readonly BindServer _bind;

    public DnsblBindHarness(BindServer bind, params (string Name, string? Value)[] extra)
    {
        _bind = bind;
        var tag = "t" + Guid.NewGuid().ToString("N")[..10];
        IpZone = $"ip-{tag}.example.com";
        DomainZone = $"dbl-{tag}.example.com";
        Environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["DNS_SERVERS"] = $"{bind.EndPoint.Address}:{bind.EndPoint.Port.ToString(CultureInfo.InvariantCulture)}",
            ["DNSBL_IPS"] = $"{Address},{Address6}",
            ["DNSBL_IP_LISTS"] = IpZone,
            ["DNSBL_DOMAINS"] = Domain,
            // Spamhaus DBL's codes, written out as an operator would for a list the relay does not know.
            ["DNSBL_DOMAIN_LISTS"] = $"{DomainZone}=127.0.1.2-127.0.1.254/127.0.1.255;127.255.255.0-127.255.255.255",
        };
        foreach (var (name, value) in extra)
        {
            Environment[name] = value;
        }

        Configuration = TestEnvironment.LoadValid([.. Environment.Select(e => (e.Key, e.Value))]);
        Metrics = new DnsblMetrics(Registry, Configuration.Dnsbl.Lists);
        Monitor = new DnsblMonitor(
            Configuration.Dnsbl,
            null,
            new DnsblChecker(DnsLookupClientFactory.Create(Configuration.Delivery.DnsServers, DnsLookupClientFactory.DefaultTimeout)),
            Metrics,
            Time,
            Logger);
        Monitor.ListingChanged += (_, change) =>
        {
            lock (Changes)
            {
                Changes.Add(change);
            }
        };
    }

    public string IpZone { get; }

    public string DomainZone { get; }

    public Dictionary<string, string?> Environment { get; }

    public RelayConfiguration Configuration { get; }

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public DnsblMetrics Metrics { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 6, 4, 0, 0, TimeSpan.Zero));

    public RecordingLogger<DnsblMonitor> Logger { get; } = new();

    public DnsblMonitor Monitor { get; }

    public List<DnsblChangeEventArgs> Changes { get; } = [];

    public static string IpName(string zone, string address = Address) =>
        $"{DnsblQueryName.Reverse(System.Net.IPAddress.Parse(address))}.{zone}.";

    public string DomainName(string domain = Domain) => $"{domain}.{DomainZone}.";

    /// <summary>Puts <paramref name="name"/> on the list with these answers (replacing any) and, if given, a TXT reason.</summary>
    public void List(string name, string? reason, params string[] answers) => _bind.NsUpdate(
        [
            "zone example.com",
            $"update delete {name} A",
            $"update delete {name} TXT",
            .. answers.Select(a => $"update add {name} 60 A {a}"),
            .. reason is null ? Array.Empty<string>() : [$"update add {name} 60 TXT \"{reason}\""],
        ]);

    public void Unlist(string name) => _bind.NsUpdate("zone example.com", $"update delete {name}");

    public async Task<IReadOnlyList<MetricSample>> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        return MetricSample.ParseAll(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    public async Task<double?> ListedAsync(string list, string target) =>
        (await ScrapeAsync()).FirstOrDefault(s => s.Name == "mailrelay_dnsbl_listed" && s.Labels["list"] == list && s.Labels["target"] == target)?.Value;

    public async Task<double> ErrorsAsync(string list, string reason) =>
        (await ScrapeAsync()).Single(s => s.Name == "mailrelay_dnsbl_errors_total" && s.Labels["list"] == list && s.Labels["reason"] == reason).Value;

    public void Dispose() => Monitor.Dispose();
}
