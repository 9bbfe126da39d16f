using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailRelay.Tests.Support;

/// <summary>
/// An HTTP server on loopback, port 0, that answers each path with a fixed status and body (what-is-my-IP
/// services, in tests) and counts the requests per path.
/// </summary>
internal sealed class FakeHttpAnswers : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, int> _hits = new(StringComparer.Ordinal);

    private FakeHttpAnswers(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<FakeHttpAnswers> StartAsync(IReadOnlyDictionary<string, (int Status, string Body)> answers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeHttpAnswers(app);
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "/";
            lock (server._hits)
            {
                server._hits[path] = server._hits.GetValueOrDefault(path) + 1;
            }

            var (status, body) = answers.TryGetValue(path, out var answer) ? answer : (404, "not found");
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(body);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    public Uri Url(string path) => new(BaseAddress, path);

    public int Hits(string path)
    {
        lock (_hits)
        {
            return _hits.GetValueOrDefault(path);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
