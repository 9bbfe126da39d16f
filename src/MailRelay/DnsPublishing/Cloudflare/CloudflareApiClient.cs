using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly;

namespace MailRelay.DnsPublishing.Cloudflare;

/// <summary>
/// The HTTP side of the provider: every call carries the Bearer token, goes through the retry pipeline, is read
/// within a size bound, and ends either as an envelope with <c>success: true</c> or as a
/// <see cref="DnsProviderException"/> in Cloudflare's own words. The token is set on the request header only, so
/// no message, log event or exception built here can contain it.
/// </summary>
internal sealed class CloudflareApiClient
{
    /// <summary>A page of 1,000 records is about 0.5 MB; anything near this bound is not an answer from the API.</summary>
    internal const long MaxResponseOctets = 16L << 20;

    /// <summary>Stops a listing whose <c>total_pages</c> never ends.</summary>
    internal const int MaxPages = 10_000;

    private readonly string _baseAddress;
    private readonly string _token;
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _retries;
    private readonly ILogger _logger;

    public CloudflareApiClient(Uri apiUrl, string token, HttpClient http, ResiliencePipeline<HttpResponseMessage> retries, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        _baseAddress = apiUrl.AbsoluteUri.TrimEnd('/');
        _token = token;
        _http = http;
        _retries = retries;
        _logger = logger;
    }

    /// <summary>
    /// Every item of a list endpoint: asks for <c>page</c> 1, 2, … with <paramref name="perPage"/> items until
    /// <c>result_info.total_pages</c> is reached or a page comes back empty.
    /// </summary>
    public async Task<List<T>> ListAsync<T>(
        string path,
        IReadOnlyList<KeyValuePair<string, string>> filters,
        int perPage,
        JsonTypeInfo<CloudflareEnvelope<IReadOnlyList<T>>> typeInfo,
        CancellationToken cancellationToken)
    {
        var items = new List<T>();
        for (var page = 1; page <= MaxPages; page++)
        {
            var query = new List<KeyValuePair<string, string>>(filters)
            {
                new("page", page.ToString(CultureInfo.InvariantCulture)),
                new("per_page", perPage.ToString(CultureInfo.InvariantCulture)),
            };
            var envelope = await SendAsync(HttpMethod.Get, path, query, null, typeInfo, cancellationToken);
            var result = envelope.Result ?? [];
            items.AddRange(result);
            if (result.Count == 0 || envelope.ResultInfo is not { } info || page >= info.TotalPages)
            {
                return items;
            }
        }

        throw new DnsProviderException($"Cloudflare GET {path} still had pages after {MaxPages}");
    }

    /// <summary>One call; <paramref name="body"/> is sent as JSON when given.</summary>
    public async Task<CloudflareEnvelope<T>> SendAsync<T>(
        HttpMethod method,
        string path,
        IReadOnlyList<KeyValuePair<string, string>> query,
        CloudflareRecordJson? body,
        JsonTypeInfo<CloudflareEnvelope<T>> typeInfo,
        CancellationToken cancellationToken)
    {
        var request = $"{method} {path}";
        var uri = new Uri(_baseAddress + path + QueryString(query));
        using var response = await SendWithRetriesAsync(request, method, uri, body, cancellationToken);
        CloudflareLog.Answered(_logger, request, (int)response.StatusCode);
        var envelope = await ReadEnvelopeAsync(request, response, typeInfo, cancellationToken);
        if (response.IsSuccessStatusCode && envelope is { Success: true })
        {
            if (envelope.Messages is { Count: > 0 } messages)
            {
                CloudflareLog.Said(_logger, request, messages);
            }

            return envelope;
        }

        var errors = envelope?.Errors is { Count: > 0 } list ? string.Join("; ", list) : "no error given";
        CloudflareLog.Refused(_logger, request, (int)response.StatusCode, errors);
        throw new DnsProviderException($"Cloudflare refused {request} (HTTP {(int)response.StatusCode}): {errors}");
    }

    private async Task<HttpResponseMessage> SendWithRetriesAsync(string request, HttpMethod method, Uri uri, CloudflareRecordJson? body, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CloudflareRetryPolicy.RequestKey, request);
        try
        {
            return await _retries.ExecuteAsync(
                static (context, state) => state.Client.SendOnceAsync(state.Method, state.Uri, state.Body, context.CancellationToken),
                context,
                (Client: this, Method: method, Uri: uri, Body: body));
        }
        catch (HttpRequestException ex)
        {
            throw new DnsProviderException($"Cloudflare {request} failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DnsProviderException($"Cloudflare {request} timed out", ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>A fresh request per attempt: a sent <see cref="HttpRequestMessage"/> cannot be sent again.</summary>
    private async ValueTask<HttpResponseMessage> SendOnceAsync(HttpMethod method, Uri uri, CloudflareRecordJson? body, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(method, uri);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            message.Content = JsonContent.Create(body, CloudflareJsonContext.Default.CloudflareRecordJson);
        }

        return await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>The envelope, or null when a failed call's body is not one (an HTML 502 from a proxy).</summary>
    private static async Task<CloudflareEnvelope<T>?> ReadEnvelopeAsync<T>(
        string request,
        HttpResponseMessage response,
        JsonTypeInfo<CloudflareEnvelope<T>> typeInfo,
        CancellationToken cancellationToken)
    {
        try
        {
            await response.Content.LoadIntoBufferAsync(MaxResponseOctets, cancellationToken);
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException)
        {
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            throw new DnsProviderException($"Cloudflare {request} answered with an unreadable body: {ex.Message}", ex);
        }
    }

    private static string QueryString(IReadOnlyList<KeyValuePair<string, string>> query)
    {
        if (query.Count == 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var (key, value) in query)
        {
            text.Append(text.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return text.ToString();
    }
}
