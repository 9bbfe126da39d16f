using System.Collections.Concurrent;
using System.Net;
using System.Text;
using MailRelay.Smtp.Hosting;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;
using MailRelay.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailRelay.Tests.Integration;

/// <summary>
/// A next hop for delivery tests: a real SMTP server on 127.0.0.1 port 0 (the project's own engine on
/// Kestrel) that keeps every message it accepts, with its envelope, in memory.
/// </summary>
internal sealed class RecordingSmtpSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Recorder _recorder;

    private readonly ChangeSignal _arrivals = new();

    private RecordingSmtpSink(WebApplication app, Recorder recorder, IPEndPoint endPoint)
    {
        _app = app;
        Received = recorder.Messages;
        _recorder = recorder;
        EndPoint = endPoint;
        recorder.Arrived += _arrivals.Raise;
    }

    /// <summary>
    /// While closed (see <see cref="StartAsync"/>), each message waits at its final dot for a permit before it
    /// is kept and answered 250: a test controls exactly how many deliveries may complete.
    /// </summary>
    public SemaphoreSlim Gate => _recorder.Gate;

    public IPEndPoint EndPoint { get; }

    public ConcurrentQueue<(string Sender, string[] Recipients, byte[] Content)> Received { get; }

    public static async Task<RecordingSmtpSink> StartAsync(bool gateClosed = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var recorder = new Recorder(gateClosed ? 0 : int.MaxValue / 2);
        builder.Services.AddSingleton(new SmtpServerOptions { HostName = "sink.test", MinDataRate = 0 });
        builder.Services.AddSingleton<ISmtpSessionHandler>(recorder);
        builder.Services.AddSingleton<ISmtpServerEvents>(NullSmtpServerEvents.Instance);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseConnectionHandler<SmtpConnectionHandler>()));
        var app = builder.Build();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var uri = new Uri(address);
        return new RecordingSmtpSink(app, recorder, new IPEndPoint(IPAddress.Loopback, uri.Port));
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds, re-checking on every arrival.</summary>
    public Task WaitUntilAsync(Func<bool> condition, TimeSpan limit) => _arrivals.WaitUntilAsync(condition, limit);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class Recorder(int permits) : ISmtpSessionHandler
    {
        public SemaphoreSlim Gate { get; } = new(permits);

        public event Action? Arrived;

        public ConcurrentQueue<(string Sender, string[] Recipients, byte[] Content)> Messages { get; } = new();

        public ValueTask<SmtpReply?> OnConnectAsync(SessionContext session, CancellationToken cancellationToken) => ValueTask.FromResult<SmtpReply?>(null);

        public ValueTask<SmtpReply?> OnMailFromAsync(SessionContext session, MailTransaction transaction, CancellationToken cancellationToken) =>
            ValueTask.FromResult<SmtpReply?>(null);

        public ValueTask<SmtpReply?> OnRecipientAsync(SessionContext session, MailTransaction transaction, string recipient, CancellationToken cancellationToken) =>
            ValueTask.FromResult<SmtpReply?>(null);

        public ValueTask<IMessageWriter> OpenMessageAsync(SessionContext session, MailTransaction transaction, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IMessageWriter>(new Writer(this, transaction));

        public ValueTask OnSessionEndAsync(SessionContext session, SessionSummary summary) => ValueTask.CompletedTask;

        private sealed class Writer(Recorder recorder, MailTransaction transaction) : IMessageWriter
        {
            private readonly MemoryStream _content = new();

            public ValueTask WriteAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
            {
                _content.Write(content.Span);
                return ValueTask.CompletedTask;
            }

            public async ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken)
            {
                await recorder.Gate.WaitAsync(CancellationToken.None);
                recorder.Messages.Enqueue((transaction.ReversePath, transaction.Recipients.ToArray(), _content.ToArray()));
                recorder.Arrived?.Invoke();
                return new SmtpReply(250, "2.0.0", "Ok: kept");
            }

            public ValueTask AbortAsync() => ValueTask.CompletedTask;

            public ValueTask DisposeAsync() => _content.DisposeAsync();
        }
    }

    public static string Text(byte[] content) => Encoding.Latin1.GetString(content);
}
