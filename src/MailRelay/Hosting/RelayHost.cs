using System.Net;
using MailRelay.Authentication;
using MailRelay.Bounces;
using MailRelay.Configuration;
using MailRelay.Delivery.Scheduling;
using MailRelay.Delivery.Transport;
using MailRelay.Dkim;
using MailRelay.Dnsbl;
using MailRelay.DnsPublishing;
using MailRelay.Events;
using MailRelay.Inbound;
using MailRelay.Inbound.Authentication;
using MailRelay.Observability;
using MailRelay.Policy;
using MailRelay.Policy.Senders;
using MailRelay.Queue;
using MailRelay.Queue.Segments;
using MailRelay.RateLimiting;
using MailRelay.Smtp.Connections;
using MailRelay.Smtp.Hosting;
using MailRelay.Smtp.Proxy;
using MailRelay.Smtp.Session;
using MailRelay.Suppression;
using MailRelay.Tls;
using MailRelay.Webhooks;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Serilog;

namespace MailRelay.Hosting;

/// <summary>
/// The one process: SMTP listeners (Kestrel connection handlers behind the PROXY and connection-limit
/// middlewares), the admin HTTP listener, the spool, logging and metrics, with a two-phase shutdown:
/// stop accepting and let sessions finish within SHUTDOWN_TIMEOUT, then close what is left.
/// </summary>
public sealed class RelayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(ListenerEndpoint Listener, ListenOptions Options)> _smtpListeners;
    private readonly ListenOptions? _adminListener;
    private readonly Spool _spool;

    private RelayHost(WebApplication app, List<(ListenerEndpoint, ListenOptions)> smtpListeners, ListenOptions? adminListener)
    {
        _app = app;
        _smtpListeners = smtpListeners;
        _adminListener = adminListener;
        _spool = app.Services.GetRequiredService<Spool>();
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>The bound SMTP endpoints (real ports when configured with port 0), in SMTP_LISTENERS order.</summary>
    public IReadOnlyList<IPEndPoint> SmtpEndPoints => _smtpListeners.Select(l => (IPEndPoint)l.Options.EndPoint).ToArray();

    public IPEndPoint? AdminEndPoint => (IPEndPoint?)_adminListener?.EndPoint;

    public static RelayHost Create(RelayConfiguration configuration, Serilog.ILogger logger, TimeProvider? timeProvider = null) =>
        Create(configuration, logger, timeProvider, new PosixDiskSync());

    /// <param name="diskSync">The spool's file operations (tests inject failing disks through it).</param>
    internal static RelayHost Create(RelayConfiguration configuration, Serilog.ILogger logger, TimeProvider? timeProvider, IDiskSync diskSync)
    {
        // Configuration is the environment only (ConfigurationLoader). The host's own JSON sources would watch
        // the content root recursively, and it defaults to the working directory, so to a relative DATA_DIR:
        // every spool file would wake their watchers. No source reloads, none is kept, and the content root
        // is the install directory.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(logger, dispose: false);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = configuration.ShutdownTimeout);

        var time = timeProvider ?? TimeProvider.System;
        var smtpOptions = new SmtpServerOptions();
        configuration.ApplyTo(smtpOptions);
        var metrics = new RelayMetrics();
        using var startupLogs = new Serilog.Extensions.Logging.SerilogLoggerFactory(logger);

        // The certificate follows its files (a renewed Secret): STARTTLS reads the options, implicit TLS the store.
        TlsCertificateStore? certificates = null;
        if (configuration.Tls is { } tls)
        {
            certificates = new TlsCertificateStore(tls, time, new TlsMetrics(metrics.Registry), startupLogs.CreateLogger<TlsCertificateStore>());
            smtpOptions.Certificate = certificates.Current;
            certificates.ChangeHandled += (_, _) => smtpOptions.Certificate = certificates.Current;
            builder.Services.AddSingleton(certificates);
            builder.Services.AddHostedService(_ => certificates);
        }

        // DKIM keys are loaded (or generated) before anything listens: a bad key is a startup error.
        var dkimKeys = DkimKeyStore.LoadOrCreate(configuration.Dkim, startupLogs.CreateLogger("MailRelay.Dkim"));
        builder.Services.AddSingleton(dkimKeys);
        builder.Services.AddSingleton(new DkimMetrics(metrics.Registry));
        AddAuthentication(builder.Services, configuration, smtpOptions, metrics, time, startupLogs);
        builder.Services.AddSingleton<DkimMessageSigner>();
        if (configuration.Dkim.Enabled)
        {
            builder.Services.AddSingleton<IMessageSigner, DkimTransportSigner>();
        }
        builder.Services.AddSingleton(configuration);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton<ISmtpServerEvents>(metrics);
        builder.Services.AddSingleton(smtpOptions);
        builder.Services.AddSingleton(new RelayPolicy(configuration.TrustedNetworks));
        var senderPolicy = new SenderPolicy(configuration.Senders, configuration.Domains.Select(d => d.Name));
        builder.Services.AddSingleton(senderPolicy);
        builder.Services.AddSingleton(new MessageIntake(configuration.HostName, configuration.OutboundHeaders, senderPolicy, new SenderMetrics(metrics.Registry)));
        builder.Services.AddSingleton(sp => new Spool(configuration.DataDirectory, time, sp.GetRequiredService<ILogger<Spool>>(), diskSync, new Random(), Spool.DefaultMaxBatchSize, waitingChanged: null, new SegmentOptions()));
        builder.Services.AddSingleton(new SpoolFreeSpace(configuration.DataDirectory, configuration.SpoolMinFreeSpace, time));
        builder.Services.AddInboundMail(configuration, metrics.Registry);
        builder.Services.AddSingleton<ISmtpSessionHandler, RelaySessionHandler>();
        builder.Services.AddSingleton<SmtpConnectionHandler>();
        builder.Services.AddBounceAddresses(configuration);
        builder.Services.AddSuppression(configuration, metrics.Registry, time);
        builder.Services.AddSmtpDeliveryTransport(configuration);
        builder.Services.AddDeliveryPacing(configuration, metrics.Registry);
        AddEvents(builder.Services, configuration, metrics, diskSync);
        builder.Services.AddQueueManager(configuration, metrics.Registry, configuration.Delivery.Concurrency);
        AddDnsPublishing(builder.Services, configuration, metrics, time, logger);
        builder.Services.AddBlocklistMonitor(configuration, metrics.Registry, startupLogs);
        if (configuration.Dnsbl.Enabled)
        {
            builder.Services.AddHostedService<BlocklistEventSource>();
        }
        builder.Services.AddInboundAuthentication(configuration);

        builder.Services.AddWebhooks(configuration, metrics.Registry);

        // A session's work runs on the thread that received its bytes, and a reply goes to the socket from the
        // thread that flushed it, instead of each being handed to the thread pool in turn: one hand-off per
        // command and reply instead of three. Each hand-off waits for a core, and on two busy cores the six
        // ordinary replies of a session took longer than its commit (bench/README.md, "Where a session's time
        // goes"). The socket engine still hands each completion to the pool, so no session runs on the engine's
        // own thread: a blocking fsync holds one pool thread, as before, and no other connection.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);

        var smtpListeners = new List<(ListenerEndpoint, ListenOptions)>();
        ListenOptions? adminListener = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var services = kestrel.ApplicationServices;
            var loggerFactory = services.GetRequiredService<ILoggerFactory>();
            var limits = new ConnectionLimitMiddleware(
                configuration.Smtp.MaxSessions,
                configuration.Smtp.MaxSessionsPerClient,
                configuration.HostName,
                loggerFactory.CreateLogger<ConnectionLimitMiddleware>());
            limits.ConnectionRefused += (_, e) => metrics.ConnectionRefused(e.Limit == ConnectionLimitKind.Total ? "total_limit" : "client_limit");
            metrics.ObserveAtScrape(limits, services.GetRequiredService<Spool>());
            metrics.ObserveAtScrape(services.GetRequiredService<SpoolFreeSpace>());
            var proxy = new ProxyProtocolMiddleware(
                configuration.TrustedProxies,
                configuration.ProxyHeaderTimeout,
                time,
                loggerFactory.CreateLogger<ProxyProtocolMiddleware>());
            proxy.HeaderTimedOut += (_, _) => metrics.ConnectionEndedBeforeSession(SessionOutcome.ProxyTimeout);
            var handshakes = new TlsHandshakeWatch(smtpOptions.TlsHandshakeTimeout, time);
            handshakes.HandshakeTimedOut += (_, _) => metrics.ConnectionEndedBeforeSession(SessionOutcome.TlsTimeout);

            foreach (var listener in configuration.Listeners)
            {
                kestrel.Listen(listener.EndPoint, listen =>
                {
                    if (listener.ProxyProtocol)
                    {
                        listen.Use(proxy.OnConnection);
                    }

                    if (listener.ImplicitTls && certificates is not null)
                    {
                        // Kestrel's handshake timeout bounds the whole handshake, as STARTTLS's does.
                        listen.Use(handshakes.Outer);
                        listen.UseHttps(new HttpsConnectionAdapterOptions
                        {
                            ServerCertificateSelector = (_, _) => certificates.Current,
                            HandshakeTimeout = smtpOptions.TlsHandshakeTimeout,
                        });
                        listen.Use(handshakes.Inner);
                    }

                    listen.Use(limits.OnConnection);
                    listen.UseConnectionHandler<SmtpConnectionHandler>();
                    smtpListeners.Add((listener, listen));
                });
            }

            if (configuration.AdminEndPoint is { } admin)
            {
                kestrel.Listen(admin, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    adminListener = listen;
                });
            }
        });

        var app = builder.Build();
        AdminEndpoints.Map(app);
        return new RelayHost(app, smtpListeners, adminListener);
    }

    /// <summary>
    /// With SMTP_AUTH_ENABLED the users file is read now (an invalid one is a startup error) and the engine gets
    /// the authenticator; the store keeps watching the file while the host runs.
    /// </summary>
    private static void AddAuthentication(
        IServiceCollection services,
        RelayConfiguration configuration,
        SmtpServerOptions smtpOptions,
        RelayMetrics metrics,
        TimeProvider time,
        ILoggerFactory startupLogs)
    {
        if (!configuration.Auth.Enabled || configuration.Auth.UsersFile is not { } usersFile)
        {
            return;
        }

        var users = new UsersFileStore(usersFile, time, startupLogs.CreateLogger<UsersFileStore>());
        var authenticator = new SmtpAuthenticator(users, new AuthMetrics(metrics.Registry), startupLogs.CreateLogger<SmtpAuthenticator>());
        smtpOptions.Authenticator = authenticator;
        services.AddSingleton(users);
        services.AddHostedService(_ => users);
        services.AddSingleton(authenticator);
    }

    /// <summary>
    /// The event outbox in DATA_DIR/events (docs/events.md), one object behind <see cref="IEventOutbox"/> and
    /// <see cref="IEventOutboxReader"/>; it tells every registered <see cref="IRelayEventListener"/> of each durable append.
    /// </summary>
    private static void AddEvents(IServiceCollection services, RelayConfiguration configuration, RelayMetrics metrics, IDiskSync diskSync)
    {
        services.AddSingleton(new EventMetrics(metrics.Registry));
        services.AddSingleton(sp => new EventOutbox(
            configuration.DataDirectory,
            diskSync,
            sp.GetRequiredService<ILogger<EventOutbox>>(),
            sp.GetRequiredService<EventMetrics>(),
            () => sp.GetServices<IRelayEventListener>()));
        services.AddSingleton<IEventOutbox>(sp => sp.GetRequiredService<EventOutbox>());
        services.AddSingleton<IEventOutboxReader>(sp => sp.GetRequiredService<EventOutbox>());
        services.AddHostedService<EventOutboxService>();
    }

    /// <summary>
    /// With a DNS_PROVIDER the publisher runs beside delivery. Its failures never stop mail: they are logged, counted
    /// and retried; only a provider that cannot be reached from here at all (no Kubernetes credentials) stops the start.
    /// </summary>
    private static void AddDnsPublishing(IServiceCollection services, RelayConfiguration configuration, RelayMetrics metrics, TimeProvider time, Serilog.ILogger logger)
    {
        if (configuration.Dns.Provider == DnsProviderKind.None)
        {
            return;
        }

        // Made now, so that a provider that cannot be reached from here at all is a startup error naming the cause.
        // The logger factory lives as long as the components, which the container disposes with the host.
        var loggers = new Serilog.Extensions.Logging.SerilogLoggerFactory(logger);
        var components = DnsPublishingComponents.Create(configuration, time, loggers);
        services.AddSingleton(_ => components);
        services.AddSingleton(_ => loggers);
        services.AddSingleton(new DnsMetrics(metrics.Registry));
        services.AddSingleton(components.Publisher);
        services.AddSingleton<DnsPublisherService>();
        services.AddHostedService(sp => sp.GetRequiredService<DnsPublisherService>());
    }

    /// <summary>Prepares the spool (a failure here is a startup error), then binds every listener.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        // One daemon per DATA_DIR: the lock comes first, before anything in the queue is touched.
        await _app.Services.GetRequiredService<QueueScheduler>().AcquireQueueLockAsync(cancellationToken);
        _spool.Initialize();
        _app.Services.GetRequiredService<EventOutbox>().Open();
        _app.Services.GetService<InboundReceiver>()?.Initialize();
        await _app.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>Runs until SIGTERM/SIGINT, then shuts down.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _spool.DisposeAsync();
    }
}
