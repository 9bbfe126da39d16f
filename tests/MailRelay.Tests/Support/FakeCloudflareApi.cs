using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailRelay.Tests.Support;

/// <summary>
/// Cloudflare's v4 API, the part the DNS provider uses, on a loopback Kestrel port: zones (with the <c>name</c>
/// filter and paging), DNS records (list with paging and the <c>type</c>/<c>name</c> filters, create, PATCH, PUT,
/// delete), the Bearer token check and the real envelope. It keeps records as written, validates what the API
/// validates (addresses, MX priority, TTL range, proxiable types, identical records), records every request,
/// and answers queued failures (429 with Retry-After, 500, 403) in place of the next requests.
/// </summary>
internal sealed class FakeCloudflareApi : IAsyncDisposable
{
    private const string BasePath = "/client/v4";

    private readonly WebApplication _app;
    private readonly string _token;
    private readonly TimeProvider _time;
    private readonly ChangeSignal _changed = new();
    private readonly object _gate = new();
    private readonly List<(string Id, string Name)> _zones = [];
    private readonly List<FakeCloudflareRecord> _records = [];
    private readonly List<FakeCloudflareRequest> _requests = [];
    private readonly Queue<FakeCloudflareFailure> _failures = new();

    private FakeCloudflareApi(WebApplication app, string token, TimeProvider time, Uri apiUrl)
    {
        _app = app;
        _token = token;
        _time = time;
        ApiUrl = apiUrl;
    }

    /// <summary>The v4 base address (<c>http://127.0.0.1:port/client/v4</c>), for CloudflareSettings.ApiUrl.</summary>
    public Uri ApiUrl { get; }

    public IReadOnlyList<FakeCloudflareRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<FakeCloudflareRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>Starts on 127.0.0.1, port 0; requests must carry <c>Authorization: Bearer <paramref name="token"/></c>.</summary>
    public static async Task<FakeCloudflareApi> StartAsync(string token, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeCloudflareApi? api = null;
        app.Run(context => api!.HandleAsync(context));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        api = new FakeCloudflareApi(app, token, time ?? TimeProvider.System, new Uri($"http://127.0.0.1:{address.Port}{BasePath}"));
        return api;
    }

    /// <summary>Adds a zone (lower case name); returns its id.</summary>
    public string AddZone(string name)
    {
        var id = NewId();
        lock (_gate)
        {
            _zones.Add((id, name));
        }

        return id;
    }

    /// <summary>Seeds a record someone else wrote (the dashboard, another tool), content exactly as given.</summary>
    public FakeCloudflareRecord AddRecord(string zoneName, string type, string name, string content, int ttl = 1, int? priority = null, bool proxied = false)
    {
        lock (_gate)
        {
            var zone = _zones.Single(z => z.Name == zoneName);
            var record = new FakeCloudflareRecord(NewId(), zone.Id, zone.Name, name, type, content, ttl, proxied, priority);
            _records.Add(record);
            return record;
        }
    }

    /// <summary>Answers the next request (whatever it is) with <paramref name="failure"/>; several queue in order.</summary>
    public void FailNext(FakeCloudflareFailure failure)
    {
        lock (_gate)
        {
            _failures.Enqueue(failure);
        }
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds, re-checking after every request answered.</summary>
    public Task WaitUntilAsync(Func<bool> condition, TimeSpan limit) => _changed.WaitUntilAsync(condition, limit);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string NewId() => Guid.NewGuid().ToString("N");

    private async Task HandleAsync(HttpContext http)
    {
        string? body = null;
        if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(http.Request.Body);
            body = await reader.ReadToEndAsync(http.RequestAborted);
        }

        var path = http.Request.Path.Value ?? string.Empty;
        var relative = path.StartsWith(BasePath, StringComparison.Ordinal) ? path[BasePath.Length..] : path;
        var request = new FakeCloudflareRequest(http.Request.Method, relative, http.Request.QueryString.Value ?? string.Empty, body, http.Request.Headers.Authorization.ToString());
        FakeCloudflareFailure? failure;
        lock (_gate)
        {
            _requests.Add(request);
            _failures.TryDequeue(out failure);
        }

        try
        {
            var (status, json) = failure is not null ? Fail(http, failure)
                : request.Authorization != $"Bearer {_token}" ? (403, FakeCloudflareJson.Error(9109, "Invalid access token"))
                : !path.StartsWith(BasePath + "/", StringComparison.Ordinal) ? (404, FakeCloudflareJson.Error(7000, "No route for that URI"))
                : Route(request, http.Request.Query);
            http.Response.StatusCode = status;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(json.ToJsonString(), http.RequestAborted);
        }
        finally
        {
            _changed.Raise();
        }
    }

    private static (int, JsonObject) Fail(HttpContext http, FakeCloudflareFailure failure)
    {
        if (failure.RetryAfter is { } retryAfter)
        {
            http.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return (failure.Status, FakeCloudflareJson.Error(failure.Code, failure.Message));
    }

    private (int, JsonObject) Route(FakeCloudflareRequest request, IQueryCollection query)
    {
        var segments = request.Path.Trim('/').Split('/');
        lock (_gate)
        {
            if (segments is ["zones"])
            {
                return request.Method == "GET" ? ListZones(query) : MethodNotAllowed();
            }

            if (segments.Length < 3 || segments[0] != "zones" || segments[2] != "dns_records")
            {
                return (404, FakeCloudflareJson.Error(7000, "No route for that URI"));
            }

            var zone = _zones.SingleOrDefault(z => z.Id == segments[1]);
            if (zone.Id is null)
            {
                return (404, FakeCloudflareJson.Error(7003, $"Could not route to {request.Path}, perhaps your object identifier is invalid?"));
            }

            return segments.Length switch
            {
                3 => request.Method switch
                {
                    "GET" => ListRecords(zone.Id, query),
                    "POST" => Write(zone, null, request.Body, replace: true),
                    _ => MethodNotAllowed(),
                },
                4 => _records.FindIndex(r => r.ZoneId == zone.Id && r.Id == segments[3]) is var index and >= 0
                    ? request.Method switch
                    {
                        "GET" => (200, FakeCloudflareJson.Success(FakeCloudflareJson.Record(_records[index], _time.GetUtcNow()))),
                        "PATCH" => Write(zone, index, request.Body, replace: false),
                        "PUT" => Write(zone, index, request.Body, replace: true),
                        "DELETE" => Delete(index),
                        _ => MethodNotAllowed(),
                    }
                    : (404, FakeCloudflareJson.Error(81044, "Record does not exist.")),
                _ => (404, FakeCloudflareJson.Error(7000, "No route for that URI")),
            };
        }
    }

    private static (int, JsonObject) MethodNotAllowed() => (405, FakeCloudflareJson.Error(10000, "Method not allowed for this route"));

    /// <summary><c>GET /zones</c>: <c>name</c> matches exactly; 20 per page by default, 5 to 50.</summary>
    private (int, JsonObject) ListZones(IQueryCollection query)
    {
        var name = query["name"].ToString();
        var matching = _zones.Where(z => name.Length == 0 || string.Equals(z.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
        return Page(matching.Select(z => (JsonNode)FakeCloudflareJson.Zone(z.Id, z.Name)).ToList(), query, perPageDefault: 20, perPageMax: 50);
    }

    /// <summary><c>GET /zones/{id}/dns_records</c>: optional exact <c>type</c> and <c>name</c>; 100 per page by default, 5 to 5,000,000.</summary>
    private (int, JsonObject) ListRecords(string zoneId, IQueryCollection query)
    {
        var type = query["type"].ToString();
        var name = query["name"].ToString();
        var now = _time.GetUtcNow();
        var matching = _records
            .Where(r => r.ZoneId == zoneId && (type.Length == 0 || r.Type == type) && (name.Length == 0 || string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)))
            .Select(r => (JsonNode)FakeCloudflareJson.Record(r, now))
            .ToList();
        return Page(matching, query, perPageDefault: 100, perPageMax: 5_000_000);
    }

    private static (int, JsonObject) Page(List<JsonNode> items, IQueryCollection query, int perPageDefault, int perPageMax)
    {
        var perPage = FakeCloudflareJson.Paging(query, "per_page", perPageDefault, 5, perPageMax);
        var page = FakeCloudflareJson.Paging(query, "page", 1, 1, int.MaxValue);
        var slice = items.Skip((page - 1) * perPage).Take(perPage).ToArray();
        return (200, FakeCloudflareJson.Success(new JsonArray(slice), FakeCloudflareJson.ResultInfo(page, perPage, slice.Length, items.Count)));
    }

    private (int, JsonObject) Delete(int index)
    {
        var id = _records[index].Id;
        _records.RemoveAt(index);
        return (200, FakeCloudflareJson.Success(new JsonObject { ["id"] = id }));
    }

    /// <summary>
    /// A create (<paramref name="index"/> null), PUT (<paramref name="replace"/>: fields not given take their
    /// defaults) or PATCH (fields not given stay). Validates what Cloudflare validates.
    /// </summary>
    private (int, JsonObject) Write((string Id, string Name) zone, int? index, string? body, bool replace)
    {
        JsonObject fields;
        try
        {
            fields = JsonNode.Parse(body ?? string.Empty) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            return (400, FakeCloudflareJson.Error(9207, "Request body is invalid."));
        }

        var old = index is { } i ? _records[i] : null;
        var keep = !replace ? old : null;
        var type = (string?)fields["type"] ?? keep?.Type;
        var name = (string?)fields["name"] ?? keep?.Name;
        var content = (string?)fields["content"] ?? keep?.Content;
        var ttl = fields["ttl"] is { } ttlNode ? (int)ttlNode : keep?.Ttl ?? 1;
        var proxied = fields["proxied"] is { } proxiedNode ? (bool)proxiedNode : keep?.Proxied ?? false;
        var priority = fields["priority"] is { } priorityNode ? (int?)priorityNode : keep?.Priority;
        if (type is null || name is null || string.IsNullOrEmpty(content))
        {
            return (400, FakeCloudflareJson.Error(9000, "DNS name, type and content are required."));
        }

        name = FullName(name.TrimEnd('.').ToLowerInvariant(), zone.Name);
        var invalid = Validate(type, content, ttl, proxied, priority);
        if (invalid is not null)
        {
            return (400, FakeCloudflareJson.Error(invalid.Value.Code, invalid.Value.Message));
        }

        var record = new FakeCloudflareRecord(old?.Id ?? NewId(), zone.Id, zone.Name, name, type, content, proxied ? 1 : ttl, proxied, type == "MX" ? priority : null);
        if (_records.Any(r => r.Id != record.Id && r.ZoneId == zone.Id && r.Name == name && r.Type == type && r.Content == content && r.Priority == record.Priority))
        {
            return (400, FakeCloudflareJson.Error(81058, "An identical record already exists."));
        }

        if (index is { } at)
        {
            _records[at] = record;
        }
        else
        {
            _records.Add(record);
        }

        return (200, FakeCloudflareJson.Success(FakeCloudflareJson.Record(record, _time.GetUtcNow())));
    }

    /// <summary>Like Cloudflare: a name outside the zone (or <c>@</c>) is taken as relative to it.</summary>
    private static string FullName(string name, string zone) =>
        name == "@" || name == zone ? zone : name.EndsWith("." + zone, StringComparison.Ordinal) ? name : $"{name}.{zone}";

    private static (int Code, string Message)? Validate(string type, string content, int ttl, bool proxied, int? priority)
    {
        if (type is not ("A" or "AAAA" or "CNAME" or "MX" or "TXT" or "NS"))
        {
            return (9000, $"DNS record type \"{type}\" is invalid.");
        }

        if (type is "A" or "AAAA"
            && !(IPAddress.TryParse(content, out var address)
                && address.AddressFamily == (type == "A" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6)))
        {
            return (9005, type == "A" ? "Content for A record must be a valid IPv4 address." : "Content for AAAA record must be a valid IPv6 address.");
        }

        if (type == "MX" && priority is not (>= 0 and <= 65535))
        {
            return (9100, "MX records require a priority between 0 and 65535.");
        }

        if (ttl != 1 && ttl is < 30 or > 86400)
        {
            return (9021, "Invalid TTL. Must be between 30 and 86400 seconds, or 1 for Automatic.");
        }

        if (proxied && type is not ("A" or "AAAA" or "CNAME"))
        {
            return (9004, "This record type cannot be proxied.");
        }

        return null;
    }
}
