using System.Net;
using System.Security.Cryptography;
using System.Text;
using MailRelay.Configuration;
using MailRelay.Inbound;
using MailRelay.Inbound.Dmarc;
using MailRelay.Queue;
using MailRelay.Tests.Integration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace MailRelay.Tests.Inbound;

/// <summary>An <see cref="InboundProcessor"/> over a temporary DATA_DIR, with test doubles where other parts plug in.</summary>
internal sealed class InboundHarness : IAsyncDisposable
{
    /// <summary>2026-12-06 09:00 UTC: the sample reports' period ended two days before.</summary>
    public static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    private int _messages;

    public InboundHarness(
        string? forwardTo = null,
        bool storeReports = false,
        TimeSpan? maxReportAge = null,
        bool withOutbox = true,
        FixedAuthenticator? authenticator = null)
    {
        Time = new FakeTimeProvider(Now);
        Settings = new InboundSettings
        {
            Enabled = true,
            Recipients = InboundSettingsReader.ParseRecipients("postmaster,abuse,bounce+,fbl,dmarc", out var patterns, out _) ? patterns : [],
            ForwardTo = forwardTo,
            DmarcReports = new DmarcReportSettings
            {
                Enabled = true,
                Store = storeReports,
                StorePath = System.IO.Path.Combine(Data.Path, "dmarc-reports"),
                MaxAge = maxReportAge ?? TimeSpan.FromDays(90),
            },
        };
        Outbox = withOutbox ? new RecordingOutbox() : null;
        Authenticator = authenticator;
        Registry = Metrics.NewCustomRegistry();
        InboundMetrics = new InboundMetrics(Registry);
        DmarcMetrics = new DmarcMetrics(Registry);
        Store = new InboundStore(Data.Path);
        if (forwardTo is not null)
        {
            Spool = new Spool(Data.Path, Time, NullLogger<Spool>.Instance);
            Spool.Initialize();
        }

        Processor = new InboundProcessor(
            Settings,
            "X-Message-ID",
            Verifier,
            authenticator,
            Outbox,
            forwardTo is null ? null : new InboundForwarder(Spool!, forwardTo, "relay.test.example"),
            Store,
            DmarcMetrics,
            InboundMetrics,
            Time,
            NullLogger<InboundProcessor>.Instance);
    }

    public TestDirectory Data { get; } = new();

    public FakeTimeProvider Time { get; }

    public InboundSettings Settings { get; }

    public TokenTableVerifier Verifier { get; } = new TokenTableVerifier()
        .Issue("tok42", "Q42", "jane@remote.example")
        .Issue("tok43", "Q43", "mark@mailbox.example");

    public RecordingOutbox? Outbox { get; }

    public FixedAuthenticator? Authenticator { get; }

    public CollectorRegistry Registry { get; }

    public InboundMetrics InboundMetrics { get; }

    public DmarcMetrics DmarcMetrics { get; }

    public InboundStore Store { get; }

    public Spool? Spool { get; }

    public InboundProcessor Processor { get; }

    public string[] KeptFiles() => Directory.Exists(Store.Directory) ? Directory.GetFiles(Store.Directory, "*.eml") : [];

    /// <summary>Writes <paramref name="content"/> as a received message and processes it; returns the reply's text.</summary>
    public async Task<string> ProcessAsync(string content, string sender, params string[] recipients)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        var incoming = Directory.CreateDirectory(System.IO.Path.Combine(Data.Path, "inbound", ".incoming")).FullName;
        var id = "in" + Interlocked.Increment(ref _messages);
        var path = System.IO.Path.Combine(incoming, id + ".eml");
        await File.WriteAllBytesAsync(path, bytes);
        var message = new InboundMessage(
            id,
            path,
            IPAddress.Parse("192.0.2.9"),
            "mx.remote.example",
            sender,
            recipients,
            Now,
            SmtpUtf8: false,
            EightBit: bytes.Any(b => b > 127),
            Convert.ToHexStringLower(SHA256.HashData(bytes)),
            $"Received: from mx.remote.example (unknown [192.0.2.9])\r\n\tby relay.test.example (MailRelay) with ESMTP id {id}; Sun, 6 Dec 2026 09:00:00 +0000\r\n");
        var reply = await Processor.ProcessAsync(message, CancellationToken.None);
        return reply.ToString();
    }

    public string MetricsText()
    {
        using var output = new MemoryStream();
        Registry.CollectAndExportAsTextAsync(output).GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(output.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        if (Spool is not null)
        {
            await Spool.DisposeAsync();
        }

        Data.Dispose();
    }
}
