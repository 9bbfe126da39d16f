using System.Net;
using MailRelay.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailRelay.Tests.Webhooks;

/// <summary>One request as the receiver got it.</summary>
internal sealed record ReceivedWebhook(string EventId, string EventType, string Signature, string ContentType, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>What the receiver answers: a status, and optionally a Retry-After in seconds.</summary>
internal sealed record WebhookAnswer(int Status, int? RetryAfterSeconds = null);

/// <summary>
/// A webhook receiver: Kestrel on 127.0.0.1, port 0, that records every POST and answers as <see cref="Answer"/> says
/// (which may hold a request open until the test releases it, or fail it).
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<ReceivedWebhook> _requests = [];
    private readonly ChangeSignal _received = new();

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Decides the answer to each request (called after it is recorded); 200 by default.</summary>
    public Func<ReceivedWebhook, CancellationToken, Task<WebhookAnswer>> Answer { get; set; } = (_, _) => Task.FromResult(new WebhookAnswer(200));

    public IReadOnlyList<ReceivedWebhook> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(new Uri(address), "/hooks/mail");
        return receiver;
    }

    public Task WaitForRequestsAsync(int count) => _received.WaitUntilAsync(() => Requests.Count >= count, TimeSpan.FromSeconds(30));

    public Task WaitUntilAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> condition) =>
        _received.WaitUntilAsync(() => condition(Requests), TimeSpan.FromSeconds(60));

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new ReceivedWebhook(
            headers.GetValueOrDefault("X-MailRelay-Event-Id", string.Empty),
            headers.GetValueOrDefault("X-MailRelay-Event-Type", string.Empty),
            headers.GetValueOrDefault("X-MailRelay-Signature", string.Empty),
            context.Request.ContentType ?? string.Empty,
            body.ToArray(),
            headers);
        lock (_requests)
        {
            _requests.Add(request);
        }

        _received.Raise();
        WebhookAnswer answer;
        try
        {
            answer = await Answer(request, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
