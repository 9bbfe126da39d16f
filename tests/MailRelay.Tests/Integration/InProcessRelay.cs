using System.Net;
using MailRelay.Configuration;
using MailRelay.Hosting;
using MailRelay.Observability;
using MailRelay.Queue;

namespace MailRelay.Tests.Integration;

/// <summary>The daemon hosted in the test process, configured through the same environment variables.</summary>
internal sealed class InProcessRelay : IAsyncDisposable
{
    private readonly RelayHost _host;
    private readonly LogSink _log;

    private InProcessRelay(RelayHost host, LogSink log, TestDirectory data)
    {
        _host = host;
        _log = log;
        Data = data;
    }

    public TestDirectory Data { get; }

    /// <summary>The daemon's services, for tests that check what the host wired together.</summary>
    public IServiceProvider Services => _host.Services;

    public IPEndPoint SmtpEndPoint => _host.SmtpEndPoints[0];

    public IReadOnlyList<IPEndPoint> SmtpEndPoints => _host.SmtpEndPoints;

    public IPEndPoint AdminEndPoint => _host.AdminEndPoint!;

    public string Log => _log.Text;

    /// <param name="diskSync">The spool's file operations; null: the real ones.</param>
    /// <param name="timeProvider">The daemon's clock; the system's when null.</param>
    public static async Task<InProcessRelay> StartAsync(IDictionary<string, string?>? settings = null, IDiskSync? diskSync = null, TimeProvider? timeProvider = null)
    {
        var data = new TestDirectory();
        var environment = new Dictionary<string, string?>
        {
            ["MAIL_HOSTNAME"] = "relay.test.example",
            ["SMTP_LISTENERS"] = "127.0.0.1:0",
            ["ADMIN_LISTEN"] = "127.0.0.1:0",
            ["DATA_DIR"] = data.Path,
            ["LOG_LEVEL"] = "Debug",
            ["DELIVERY_ROUTES"] = TestNetwork.UnreachableRoutes,
            ["DNS_SERVERS"] = TestNetwork.SilentDnsServer,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var result = ConfigurationLoader.Load(environment);
        if (!result.IsValid)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => $"{e.Variable}: {e.Message}")));
        }

        var log = new LogSink();
        var logger = LoggingSetup.CreateLogger(result.Configuration.LogFormat, result.Configuration.LogLevel, log);
        var host = RelayHost.Create(result.Configuration, logger, timeProvider, diskSync ?? new PosixDiskSync());
        await host.StartAsync();
        return new InProcessRelay(host, log, data);
    }

    public async Task<string> GetAdminAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{AdminEndPoint}") };
        return await http.GetStringAsync(new Uri(path, UriKind.Relative));
    }

    public async Task<HttpResponseMessage> GetAdminResponseAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{AdminEndPoint}") };
        return await http.GetAsync(new Uri(path, UriKind.Relative));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        await _host.DisposeAsync();
        Data.Dispose();
    }

    /// <summary>
    /// The daemon's log, written by its threads and read by the test while they write: every write and the read take one
    /// lock (a synchronized wrapper around a <see cref="StringWriter"/> locks itself, not the builder a reader copies).
    /// </summary>
    private sealed class LogSink : TextWriter
    {
        private readonly Lock _lock = new();
        private readonly System.Text.StringBuilder _text = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_lock)
            {
                _text.Append(value);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_lock)
            {
                _text.Append(buffer, index, count);
            }
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            lock (_lock)
            {
                _text.Append(buffer);
            }
        }

        public override void Write(string? value)
        {
            lock (_lock)
            {
                _text.Append(value);
            }
        }
    }
}
