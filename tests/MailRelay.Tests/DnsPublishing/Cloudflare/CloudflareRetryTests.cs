using System.Net;
using System.Net.Sockets;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Cloudflare;
using MailRelay.Tests.Support;

namespace MailRelay.Tests.DnsPublishing.Cloudflare;

public sealed class CloudflareRetryTests
{
    [Fact]
    public async Task A_429_is_retried_only_after_its_retry_after_has_passed_on_the_clock()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        harness.Api.AddRecord("example.com", "TXT", "example.com", "\"v=spf1 -all\"");
        var provider = harness.ZoneProvider();
        harness.Api.FailNext(FakeCloudflareFailure.RateLimited(TimeSpan.FromSeconds(7)));

        var read = provider.ReadAsync(["example.com"], CancellationToken.None);
        await harness.Time.WaitForTimersAsync(1, CloudflareHarness.Limit);

        Assert.Equal([TimeSpan.FromSeconds(7)], harness.Time.DueTimes);
        harness.Time.Advance(TimeSpan.FromSeconds(7) - TimeSpan.FromMilliseconds(1));
        Assert.Single(harness.Api.Requests);
        Assert.False(read.IsCompleted);

        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        var records = await read.WaitAsync(CloudflareHarness.Limit);

        Assert.Equal("v=spf1 -all", Assert.Single(records).Value);
        Assert.Equal(2, harness.Api.Requests.Count);
        Assert.Equal(harness.Api.Requests[0].ToString(), harness.Api.Requests[1].ToString());
    }

    [Fact]
    public async Task A_500_is_retried_after_a_backoff_and_the_write_then_succeeds()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        var provider = harness.ZoneProvider();
        harness.Api.FailNext(FakeCloudflareFailure.ServerError());

        var apply = provider.ApplyAsync(
            [DnsChange.Create(new DnsRecord("_dmarc.example.com", DnsRecordType.TXT, "v=DMARC1; p=none", 300))],
            CancellationToken.None);
        await harness.Time.WaitForTimersAsync(1, CloudflareHarness.Limit);

        Assert.Equal([CloudflareRetryPolicy.FirstBackoff], harness.Time.DueTimes);
        Assert.Single(harness.Api.Requests);
        Assert.Empty(harness.Api.Records);
        harness.Time.Advance(CloudflareRetryPolicy.FirstBackoff);
        await apply.WaitAsync(CloudflareHarness.Limit);

        Assert.Equal(["POST", "POST"], harness.Api.Requests.Select(r => r.Method));
        Assert.Equal(harness.Api.Requests[0].Body, harness.Api.Requests[1].Body);
        Assert.Equal("\"v=DMARC1; p=none\"", Assert.Single(harness.Api.Records).Content);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_doubling_backoff_a_bounded_number_of_times()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        var provider = harness.ZoneProvider();
        for (var i = 0; i <= CloudflareRetryPolicy.MaxRetries; i++)
        {
            harness.Api.FailNext(FakeCloudflareFailure.ServerError());
        }

        var read = provider.ReadAsync(["example.com"], CancellationToken.None);
        await harness.LetEveryRetryWaitPassAsync();

        var error = await Assert.ThrowsAsync<DnsProviderException>(() => read.WaitAsync(CloudflareHarness.Limit));

        Assert.Equal([1, 2, 4, 8], harness.Time.DueTimes.Select(d => d.TotalSeconds));
        Assert.Equal(CloudflareRetryPolicy.MaxRetries + 1, harness.Api.Requests.Count);
        Assert.Contains("HTTP 500", error.Message, StringComparison.Ordinal);
        Assert.Contains("10000 Internal server error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_fails_at_once_with_cloudflares_words_and_never_shows_the_token()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        const string wrongToken = "cf-token-WRONG-h8J3kD0sQz";
        var provider = harness.ZoneProvider(token: wrongToken);

        var error = await Assert.ThrowsAsync<DnsProviderException>(() => provider.ReadAsync(["example.com"], CancellationToken.None));

        Assert.Contains("HTTP 403", error.Message, StringComparison.Ordinal);
        Assert.Contains("9109 Invalid access token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongToken, error.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(harness.Log.Messages);
        Assert.DoesNotContain(harness.Log.Messages, m => m.Contains(wrongToken, StringComparison.Ordinal));
        Assert.Single(harness.Api.Requests);
        Assert.Empty(harness.Time.DueTimes);
    }

    [Fact]
    public async Task A_403_on_a_write_carries_cloudflares_message()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        var provider = harness.ZoneProvider();
        harness.Api.FailNext(FakeCloudflareFailure.Forbidden("Authentication error"));

        var error = await Assert.ThrowsAsync<DnsProviderException>(() => provider.ApplyAsync(
            [DnsChange.Create(new DnsRecord("example.com", DnsRecordType.TXT, "v=spf1 -all", 300))],
            CancellationToken.None));

        Assert.Contains("10000 Authentication error", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CloudflareHarness.Token, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Log.Messages, m => m.Contains(CloudflareHarness.Token, StringComparison.Ordinal));
        Assert.Single(harness.Api.Requests);
        Assert.Empty(harness.Api.Records);
    }

    [Fact]
    public async Task Cancelling_during_a_retry_wait_cancels_without_another_call()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        var provider = harness.ZoneProvider();
        harness.Api.FailNext(FakeCloudflareFailure.RateLimited(TimeSpan.FromSeconds(30)));
        using var cancel = new CancellationTokenSource();

        var read = provider.ReadAsync(["example.com"], cancel.Token);
        await harness.Time.WaitForTimersAsync(1, CloudflareHarness.Limit);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(CloudflareHarness.Limit));
        Assert.Single(harness.Api.Requests);
    }

    [Fact]
    public async Task An_unreachable_api_is_retried_then_reported_without_the_token()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var settings = harness.Settings(new Dictionary<string, string> { ["example.com"] = "0123456789abcdef0123456789abcdef" }) with
        {
            ApiUrl = new Uri($"http://127.0.0.1:{port}/client/v4"),
        };
        using var http = new HttpClient();
        var provider = new CloudflareDnsProvider(settings, http, harness.Time, harness.Log);

        var read = provider.ReadAsync(["example.com"], CancellationToken.None);
        await harness.LetEveryRetryWaitPassAsync();

        var error = await Assert.ThrowsAsync<DnsProviderException>(() => read.WaitAsync(CloudflareHarness.Limit));

        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Contains("GET /zones/0123456789abcdef0123456789abcdef/dns_records", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CloudflareHarness.Token, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(CloudflareRetryPolicy.MaxRetries, harness.Time.DueTimes.Count);
    }

    [Fact]
    public void Retry_after_as_a_date_is_the_time_until_it_and_a_long_one_is_capped()
    {
        var time = new TimerRecordingTimeProvider();
        using var inTwentySeconds = RateLimited(header => header.RetryAfter = new(time.GetUtcNow().AddSeconds(20)));
        using var inAnHour = RateLimited(header => header.RetryAfter = new(TimeSpan.FromHours(1)));
        using var withoutHeader = RateLimited(_ => { });
        using var serverError = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { RetryAfter = new(TimeSpan.FromSeconds(5)) } };

        Assert.Equal(TimeSpan.FromSeconds(20), CloudflareRetryPolicy.RetryAfter(inTwentySeconds, time));
        Assert.Equal(CloudflareRetryPolicy.MaxRetryAfter, CloudflareRetryPolicy.RetryAfter(inAnHour, time));
        Assert.Null(CloudflareRetryPolicy.RetryAfter(withoutHeader, time));
        Assert.Null(CloudflareRetryPolicy.RetryAfter(serverError, time));
    }

    private static HttpResponseMessage RateLimited(Action<System.Net.Http.Headers.HttpResponseHeaders> headers)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        headers(response.Headers);
        return response;
    }
}
