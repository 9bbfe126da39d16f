using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>
/// Kestrel on 127.0.0.1 port 0 with the middlewares under test in front of <see cref="EndpointEchoHandler"/>.
/// </summary>
internal sealed class KestrelTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelTestHost(WebApplication app, HandlerProbe probe, ConnectionCompletions completions, int port)
    {
        _app = app;
        Probe = probe;
        Completions = completions;
        Port = port;
    }

    public HandlerProbe Probe { get; }

    /// <summary>Signalled after each connection's whole chain (every middleware and the handler) has returned.</summary>
    public ConnectionCompletions Completions { get; }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public static async Task<KestrelTestHost> StartAsync(Action<ListenOptions> addMiddlewares)
    {
        var probe = new HandlerProbe();
        var completions = new ConnectionCompletions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(probe);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Use(next => async connection =>
            {
                try
                {
                    await next(connection);
                }
                finally
                {
                    completions.Signal();
                }
            });
            addMiddlewares(listen);
            listen.UseConnectionHandler<EndpointEchoHandler>();
        }));

        var app = builder.Build();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new KestrelTestHost(app, probe, completions, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Completions.Dispose();
    }
}
