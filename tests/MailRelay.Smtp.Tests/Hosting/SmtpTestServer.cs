using System.Net;
using MailRelay.Smtp.Hosting;
using MailRelay.Smtp.Session;
using MailRelay.Smtp.Tests.Session;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailRelay.Smtp.Tests.Hosting;

/// <summary>Kestrel on 127.0.0.1, port 0, serving <see cref="SmtpConnectionHandler"/> the way the daemon hosts it.</summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private SmtpTestServer(WebApplication app, RecordingSessionHandler handler, RecordingServerEvents events, int port)
    {
        this.app = app;
        Handler = handler;
        Events = events;
        Port = port;
    }

    public RecordingSessionHandler Handler { get; }

    public RecordingServerEvents Events { get; }

    public int Port { get; }

    public static async Task<SmtpTestServer> StartAsync(SmtpServerOptions options)
    {
        var handler = new RecordingSessionHandler();
        var events = new RecordingServerEvents();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ISmtpSessionHandler>(handler);
        builder.Services.AddSingleton<ISmtpServerEvents>(events);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseSmtp()));
        var app = builder.Build();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new SmtpTestServer(app, handler, events, new Uri(address).Port);
    }

    public Task StopAsync() => app.StopAsync();

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
