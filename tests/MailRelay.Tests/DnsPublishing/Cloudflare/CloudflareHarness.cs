using MailRelay.Configuration;
using MailRelay.DnsPublishing.Cloudflare;
using MailRelay.Tests.Support;

namespace MailRelay.Tests.DnsPublishing.Cloudflare;

/// <summary>A fake Cloudflare API on loopback, a clock that only moves when told, and providers pointed at both.</summary>
internal sealed class CloudflareHarness : IAsyncDisposable
{
    public const string Token = "cf-token-7Qp2v9XkLm4RtY8w";

    /// <summary>How long a test waits for something the code under test is already doing; never a timing assertion.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = new();

    private CloudflareHarness(FakeCloudflareApi api, TimerRecordingTimeProvider time)
    {
        Api = api;
        Time = time;
    }

    public FakeCloudflareApi Api { get; }

    public TimerRecordingTimeProvider Time { get; }

    public RecordingLogger<CloudflareDnsProvider> Log { get; } = new();

    /// <summary>The id of <c>example.com</c> when started with <see cref="StartWithZoneAsync"/>.</summary>
    public string ZoneId { get; private set; } = string.Empty;

    /// <summary>A fake with no zones yet.</summary>
    public static async Task<CloudflareHarness> StartAsync()
    {
        var time = new TimerRecordingTimeProvider();
        return new CloudflareHarness(await FakeCloudflareApi.StartAsync(Token, time), time);
    }

    /// <summary>A fake holding the zone <c>example.com</c>, for tests about records rather than zones.</summary>
    public static async Task<CloudflareHarness> StartWithZoneAsync()
    {
        var harness = await StartAsync();
        harness.ZoneId = harness.Api.AddZone("example.com");
        return harness;
    }

    public CloudflareSettings Settings(IReadOnlyDictionary<string, string>? zoneIds = null, bool proxied = false, string token = Token) => new()
    {
        ApiToken = token,
        ZoneIds = zoneIds ?? new Dictionary<string, string>(),
        Proxied = proxied,
        ApiUrl = Api.ApiUrl,
    };

    public CloudflareDnsProvider Provider(IReadOnlyDictionary<string, string>? zoneIds = null, bool proxied = false, string token = Token, int recordsPerPage = 1000) =>
        new(Settings(zoneIds, proxied, token), _http, Time, Log) { RecordsPerPage = recordsPerPage };

    /// <summary>A provider with <c>example.com</c> named in its settings, so no zone lookups are made.</summary>
    public CloudflareDnsProvider ZoneProvider(bool proxied = false, string token = Token, int recordsPerPage = 1000) =>
        Provider(new Dictionary<string, string> { ["example.com"] = ZoneId }, proxied, token, recordsPerPage);

    /// <summary>
    /// Lets each of the provider's retry waits pass, one at a time: waits until the wait's timer exists, then moves
    /// the clock by exactly its due time.
    /// </summary>
    public async Task LetEveryRetryWaitPassAsync()
    {
        for (var retry = 1; retry <= CloudflareRetryPolicy.MaxRetries; retry++)
        {
            await Time.WaitForTimersAsync(retry, Limit);
            Time.Advance(Time.DueTimes[retry - 1]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Api.DisposeAsync();
    }
}
