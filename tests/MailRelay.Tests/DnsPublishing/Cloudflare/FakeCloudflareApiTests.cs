using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace MailRelay.Tests.DnsPublishing.Cloudflare;

/// <summary>The fake's own contract, read with a plain HTTP client: the envelope, paging and errors as Cloudflare's API has them.</summary>
public sealed class FakeCloudflareApiTests
{
    [Fact]
    public async Task Zones_are_listed_by_page_with_result_info_and_filtered_by_exact_name()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            harness.Api.AddZone($"zone{i}.example");
        }

        using var http = Client();
        var second = await GetAsync(http, harness, "/zones?page=2&per_page=5");
        var named = await GetAsync(http, harness, "/zones?name=zone3.example");

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.True((bool)second.Json["success"]!);
        Assert.Empty(second.Json["errors"]!.AsArray());
        Assert.Equal(["zone5.example", "zone6.example"], second.Json["result"]!.AsArray().Select(z => (string)z!["name"]!));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"page":2,"per_page":5,"count":2,"total_count":7,"total_pages":2}"""),
            second.Json["result_info"]));
        Assert.Equal(["zone3.example"], named.Json["result"]!.AsArray().Select(z => (string)z!["name"]!));
    }

    [Fact]
    public async Task A_wrong_token_gets_403_with_error_9109_in_the_envelope()
    {
        await using var harness = await CloudflareHarness.StartAsync();
        using var http = Client("not-the-token");

        var answer = await GetAsync(http, harness, "/zones");

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"success":false,"errors":[{"code":9109,"message":"Invalid access token"}],"messages":[],"result":null}"""),
            answer.Json));
    }

    [Fact]
    public async Task Writes_are_validated_as_cloudflare_validates_them()
    {
        await using var harness = await CloudflareHarness.StartWithZoneAsync();
        using var http = Client();
        var records = $"/zones/{harness.ZoneId}/dns_records";

        var proxiedTxt = await SendAsync(http, harness, HttpMethod.Post, records, """{"type":"TXT","name":"example.com","content":"\"x\"","ttl":300,"proxied":true}""");
        var mxWithoutPriority = await SendAsync(http, harness, HttpMethod.Post, records, """{"type":"MX","name":"example.com","content":"mail.example.com","ttl":300}""");
        var relative = await SendAsync(http, harness, HttpMethod.Post, records, """{"type":"A","name":"mail","content":"192.0.2.1","ttl":300}""");
        var again = await SendAsync(http, harness, HttpMethod.Post, records, """{"type":"A","name":"mail.example.com","content":"192.0.2.1","ttl":120}""");
        var missing = await SendAsync(http, harness, HttpMethod.Delete, $"{records}/0000000000000000000000000000dead", null);

        Assert.Equal((HttpStatusCode.BadRequest, 9004), (proxiedTxt.Status, (int)proxiedTxt.Json["errors"]![0]!["code"]!));
        Assert.Equal(HttpStatusCode.BadRequest, mxWithoutPriority.Status);
        Assert.Equal("mail.example.com", (string)relative.Json["result"]!["name"]!);
        Assert.Equal((HttpStatusCode.BadRequest, 81058), (again.Status, (int)again.Json["errors"]![0]!["code"]!));
        Assert.Equal((HttpStatusCode.NotFound, 81044), (missing.Status, (int)missing.Json["errors"]![0]!["code"]!));
        Assert.Single(harness.Api.Records);
    }

    private static HttpClient Client(string token = CloudflareHarness.Token)
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static Task<(HttpStatusCode Status, JsonNode Json)> GetAsync(HttpClient http, CloudflareHarness harness, string pathAndQuery) =>
        SendAsync(http, harness, HttpMethod.Get, pathAndQuery, null);

    private static async Task<(HttpStatusCode Status, JsonNode Json)> SendAsync(HttpClient http, CloudflareHarness harness, HttpMethod method, string pathAndQuery, string? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(harness.Api.ApiUrl.AbsoluteUri + pathAndQuery));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
