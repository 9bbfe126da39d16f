using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using MailRelay.Smtp.Session;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Smtp.Tests.Session;

/// <summary>
/// An <see cref="SmtpSession"/> over two in-memory pipes, with the client's side exposed: write bytes,
/// read whole replies, and observe how the session ended.
/// </summary>
public sealed class SmtpTestConnection : IAsyncDisposable
{
    private readonly Pipe clientToServer;
    private readonly Pipe serverToClient;
    private readonly CancellationTokenSource shutdown = new();

    private SmtpTestConnection(SmtpServerOptions options, RecordingSessionHandler handler, TimeProvider time, PipeOptions? inputOptions, ILogger? logger)
    {
        Options = options;
        Handler = handler;
        clientToServer = new Pipe(inputOptions ?? PipeOptions.Default);
        serverToClient = new Pipe();
        ServerOutput = new CountingPipeWriter(serverToClient.Writer);
        Context = new SessionContext("test-1", new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 40000), null);
        var session = new SmtpSession(
            new DuplexPipe(clientToServer.Reader, ServerOutput), Context, options, handler, Events, time, logger ?? NullLogger.Instance);
        Completion = Task.Run(() => session.RunAsync(shutdown.Token));
    }

    public SmtpServerOptions Options { get; }

    public RecordingSessionHandler Handler { get; }

    public SessionContext Context { get; }

    public RecordingServerEvents Events { get; } = new();

    public CountingPipeWriter ServerOutput { get; }

    public Task<SessionSummary> Completion { get; }

    public PipeReader ClientInput => serverToClient.Reader;

    public PipeWriter ClientOutput => clientToServer.Writer;

    public static SmtpTestConnection Start(
        SmtpServerOptions? options = null, RecordingSessionHandler? handler = null, TimeProvider? time = null, PipeOptions? inputOptions = null, ILogger? logger = null) =>
        new(options ?? new SmtpServerOptions { HostName = "mx.test" }, handler ?? new RecordingSessionHandler(), time ?? new FakeTimeProvider(), inputOptions, logger);

    /// <summary>Starts a session and reads its greeting.</summary>
    public static async Task<SmtpTestConnection> StartGreetedAsync(
        SmtpServerOptions? options = null, RecordingSessionHandler? handler = null, TimeProvider? time = null, PipeOptions? inputOptions = null, ILogger? logger = null)
    {
        var connection = Start(options, handler, time, inputOptions, logger);
        var greeting = await connection.ReadReplyAsync();
        Assert.Equal(220, greeting.Code);
        return connection;
    }

    public void RequestShutdown() => shutdown.Cancel();

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        var result = await clientToServer.Writer.WriteAsync(bytes);
        Assert.False(result.IsCanceled);
    }

    /// <summary>Sends a command line and returns its reply.</summary>
    public async Task<TestReply> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>EHLO, then MAIL/RCPT for the given envelope, asserting each succeeded.</summary>
    public async Task EnvelopeAsync(string from = "sender@example.org", params string[] to)
    {
        Assert.Equal(250, (await CommandAsync("EHLO client.example")).Code);
        Assert.Equal(250, (await CommandAsync($"MAIL FROM:<{from}>")).Code);
        foreach (var recipient in to.Length == 0 ? ["rcpt@example.net"] : to)
        {
            Assert.Equal(250, (await CommandAsync($"RCPT TO:<{recipient}>")).Code);
        }
    }

    /// <summary>Reads one complete reply (all its lines); null when the server closed the connection.</summary>
    public async Task<TestReply?> TryReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync();
            if (line is null)
            {
                return null;
            }

            lines.Add(line);
            if (line.Length < 4 || line[3] == ' ')
            {
                var code = int.Parse(line.AsSpan(0, 3), System.Globalization.CultureInfo.InvariantCulture);
                var rest = line.Length > 4 ? line[4..] : string.Empty;
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                var first = space < 0 ? rest : rest[..space];
                string? enhanced = first.Length >= 5 && char.IsAsciiDigit(first[0]) && first[1] == '.' ? first : null;
                return new TestReply(code, enhanced, lines);
            }
        }
    }

    public async Task<TestReply> ReadReplyAsync() =>
        await TryReadReplyAsync() ?? throw new InvalidOperationException("The server closed the connection.");

    /// <summary>Reads replies until the server closes the connection.</summary>
    public async Task<List<TestReply>> ReadAllRepliesAsync()
    {
        var replies = new List<TestReply>();
        while (await TryReadReplyAsync() is { } reply)
        {
            replies.Add(reply);
        }

        return replies;
    }

    public async ValueTask DisposeAsync()
    {
        await clientToServer.Writer.CompleteAsync();
        await Completion.WaitAsync(TimeSpan.FromSeconds(30));
        await serverToClient.Reader.CompleteAsync();
        shutdown.Dispose();
    }

    private async Task<string?> ReadLineAsync()
    {
        while (true)
        {
            var result = await serverToClient.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            var buffer = result.Buffer;
            var end = buffer.PositionOf((byte)'\n');
            if (end is not null)
            {
                var line = buffer.Slice(0, end.Value);
                var text = Encoding.UTF8.GetString(line).TrimEnd('\r');
                serverToClient.Reader.AdvanceTo(buffer.GetPosition(1, end.Value));
                return text;
            }

            serverToClient.Reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
