using System.Net;
using System.Net.Http.Headers;
using MailRelay.Events;

namespace MailRelay.Webhooks;

/// <summary>
/// POSTs one event to one endpoint and says what became of it. One HttpClient per endpoint over a SocketsHttpHandler
/// (connections reused, at most WEBHOOK_MAX_IN_FLIGHT of them, redirects not followed: a POST is not re-sent somewhere
/// else unannounced); the timeout runs on the injected clock.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    /// <summary>What is read of a 2xx answer's body before the connection goes back to the pool; the rest is not waited for.</summary>
    private const int MaxDrainedBody = 64 * 1024;

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    private readonly WebhookEndpoint _endpoint;
    private readonly WebhookSignature _signature;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;

    public WebhookSender(WebhookEndpoint endpoint, WebhookSignature signature, TimeSpan timeout, int maxInFlight, TimeProvider time)
    {
        _endpoint = endpoint;
        _signature = signature;
        _timeout = timeout;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxInFlight,
            // Connections are re-made now and then, so a receiver that moved (DNS) is followed.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = timeout,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("MailRelay-Webhooks", "1"));
    }

    public WebhookEndpoint Endpoint => _endpoint;

    /// <summary>
    /// Sends <paramref name="record"/>. Throws <see cref="OperationCanceledException"/> only when
    /// <paramref name="cancellationToken"/> (shutdown) ends it; every other failure is a <see cref="WebhookAttemptOutcome"/>.
    /// </summary>
    public async Task<WebhookAttemptOutcome> SendAsync(OutboxRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint.Url);
        request.Content = new ReadOnlyMemoryContent(record.Json);
        request.Content.Headers.ContentType = JsonContentType;
        request.Headers.TryAddWithoutValidation(WebhookHeaders.EventId, record.Id);
        request.Headers.TryAddWithoutValidation(WebhookHeaders.EventType, record.Type);
        request.Headers.TryAddWithoutValidation(WebhookHeaders.Signature, _signature.Sign(_time.GetUtcNow().ToUnixTimeSeconds(), record.Json.Span));
        foreach (var (name, value) in _endpoint.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                await DrainAsync(response, linked.Token, cancellationToken);
                return WebhookAttemptOutcome.Sent(status);
            }

            var detail = $"{status} {response.ReasonPhrase}".TrimEnd();
            if (response.StatusCode == HttpStatusCode.Gone)
            {
                return WebhookAttemptOutcome.Gone(detail);
            }

            return WebhookAttemptOutcome.Failed(status switch { < 400 => "3xx", < 500 => "4xx", _ => "5xx" }, detail, RetryAfter(response));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return WebhookAttemptOutcome.Failed("timeout", $"no answer within {_timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException exception)
        {
            var reason = exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
                ? "connect"
                : "network";
            return WebhookAttemptOutcome.Failed(reason, exception.Message);
        }
    }

    /// <summary>Reads a little of a 2xx body so the connection can be reused; the event counts as sent whatever happens here.</summary>
    private static async Task DrainAsync(HttpResponseMessage response, CancellationToken token, CancellationToken shutdown)
    {
        var buffer = new byte[8192];
        var read = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(token);
            int count;
            while (read < MaxDrainedBody && (count = await body.ReadAsync(buffer, token)) > 0)
            {
                read += count;
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException || (exception is OperationCanceledException && !shutdown.IsCancellationRequested))
        {
            // The status line said 2xx; the body is not ours to judge.
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - _time.GetUtcNow() : null;
    }

    public void Dispose() => _client.Dispose();
}
