using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MailRelay.Tests.Support;

/// <summary>
/// The JSON <see cref="FakeCloudflareApi"/> answers with, built by hand from Cloudflare's documented field names
/// (not from the provider's types, so a field misnamed in the provider is not mirrored here).
/// </summary>
internal static class FakeCloudflareJson
{
    /// <summary><c>{success, errors, messages, result}</c>, plus <c>result_info</c> for a list.</summary>
    public static JsonObject Success(JsonNode? result, JsonObject? resultInfo = null)
    {
        var envelope = new JsonObject
        {
            ["success"] = true,
            ["errors"] = new JsonArray(),
            ["messages"] = new JsonArray(),
            ["result"] = result,
        };
        if (resultInfo is not null)
        {
            envelope["result_info"] = resultInfo;
        }

        return envelope;
    }

    public static JsonObject Error(int code, string message) => new()
    {
        ["success"] = false,
        ["errors"] = new JsonArray(new JsonObject { ["code"] = code, ["message"] = message }),
        ["messages"] = new JsonArray(),
        ["result"] = null,
    };

    public static JsonObject ResultInfo(int page, int perPage, int count, int totalCount) => new()
    {
        ["page"] = page,
        ["per_page"] = perPage,
        ["count"] = count,
        ["total_count"] = totalCount,
        ["total_pages"] = (totalCount + perPage - 1) / perPage,
    };

    public static JsonObject Zone(string id, string name) => new()
    {
        ["id"] = id,
        ["name"] = name,
        ["status"] = "active",
        ["paused"] = false,
        ["type"] = "full",
        ["development_mode"] = 0,
        ["name_servers"] = new JsonArray("ada.ns.cloudflare.com", "bob.ns.cloudflare.com"),
        ["account"] = new JsonObject { ["id"] = "0123456789abcdef0123456789abcdef", ["name"] = "Test account" },
    };

    public static JsonObject Record(FakeCloudflareRecord record, DateTimeOffset now)
    {
        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var json = new JsonObject
        {
            ["id"] = record.Id,
            ["zone_id"] = record.ZoneId,
            ["zone_name"] = record.ZoneName,
            ["name"] = record.Name,
            ["type"] = record.Type,
            ["content"] = record.Content,
            ["proxiable"] = record.Type is "A" or "AAAA" or "CNAME",
            ["proxied"] = record.Proxied,
            ["ttl"] = record.Ttl,
            ["locked"] = false,
            ["meta"] = new JsonObject { ["auto_added"] = false, ["managed_by_apps"] = false, ["managed_by_argo_tunnel"] = false },
            ["comment"] = null,
            ["tags"] = new JsonArray(),
            ["created_on"] = stamp,
            ["modified_on"] = stamp,
        };
        if (record.Priority is { } priority)
        {
            json["priority"] = priority;
        }

        return json;
    }

    /// <summary>A query parameter as a page number or size, clamped the way the API treats out-of-range values.</summary>
    public static int Paging(IQueryCollection query, string key, int fallback, int min, int max) =>
        int.TryParse(query[key], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? Math.Clamp(value, min, max) : fallback;
}
