using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using MailRelay.Tests.Support;

namespace MailRelay.Tests.Delivery.Transport;

/// <summary>
/// A scripted SMTP server on a real loopback socket: enough of RFC 5321 (EHLO, STARTTLS, AUTH PLAIN,
/// MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) to act as an MX host or a smarthost, recording
/// every command, connection and message it receives.
/// </summary>
internal sealed class FakeSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly FakeSmtpBehaviour _behaviour;
    private readonly CancellationTokenSource _stop = new();
    private readonly ChangeSignal _received = new();
    private readonly List<Task> _sessions = [];
    private readonly Task _acceptLoop;
    private int _connections;

    public FakeSmtpServer(IPEndPoint endPoint, FakeSmtpBehaviour behaviour)
    {
        _behaviour = behaviour;
        _listener = new TcpListener(endPoint);
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _acceptLoop = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    public int Connections => Volatile.Read(ref _connections);

    public ConcurrentQueue<string> Commands { get; } = new();

    public ConcurrentQueue<ReceivedMessage> Messages { get; } = new();

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds, re-checking after every message kept.</summary>
    public Task WaitUntilAsync(Func<bool> condition, TimeSpan limit) => _received.WaitUntilAsync(condition, limit);

    /// <summary>Binds 127.0.0.1 on port 0.</summary>
    public static FakeSmtpServer StartOnLoopback(FakeSmtpBehaviour behaviour) => new(new IPEndPoint(IPAddress.Loopback, 0), behaviour);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        await Task.WhenAll(sessions);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            lock (_sessions)
            {
                _sessions.Add(RunSessionAsync(socket));
            }
        }
    }

    private async Task RunSessionAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                await new FakeSmtpSession(this, _behaviour, new NetworkStream(socket, ownsSocket: false)).RunAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client went away or the test ended.
            }
        }
    }

    private sealed class FakeSmtpSession(FakeSmtpServer server, FakeSmtpBehaviour behaviour, Stream stream)
    {
        private LineReader _reader = new(stream);
        private Stream _stream = stream;
        private bool _tls;
        private string? _user;
        private string? _mail;
        private readonly List<string> _recipients = [];

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            await WriteAsync(behaviour.Greeting, cancellationToken);
            if (!behaviour.Greeting.StartsWith('2'))
            {
                return;
            }

            while (await _reader.ReadLineAsync(cancellationToken) is { } raw)
            {
                var line = Encoding.UTF8.GetString(raw).TrimEnd('\r', '\n');
                server.Commands.Enqueue(line);
                var verb = (line.Split(' ', 2)[0]).ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await WriteAsync(EhloReply(), cancellationToken);
                        break;
                    case "HELO":
                    case "NOOP":
                        await WriteAsync("250 2.0.0 Ok", cancellationToken);
                        break;
                    case "STARTTLS" when behaviour.Certificate is not null && !_tls:
                        await WriteAsync("220 2.0.0 Ready to start TLS", cancellationToken);
                        var ssl = new SslStream(_stream);
                        await ssl.AuthenticateAsServerAsync(behaviour.Certificate);
                        _stream = ssl;
                        _reader = new LineReader(ssl);
                        _tls = true;
                        break;
                    case "AUTH":
                        await AuthenticateAsync(line, cancellationToken);
                        break;
                    case "MAIL":
                        if (behaviour.Credentials is not null && _user is null)
                        {
                            await WriteAsync("530 5.7.0 Authentication required", cancellationToken);
                            break;
                        }

                        if (behaviour.Strict && line.Contains(" SMTPUTF8", StringComparison.OrdinalIgnoreCase) && !behaviour.Extensions.Contains("SMTPUTF8"))
                        {
                            await WriteAsync("555 5.5.4 Unsupported option: SMTPUTF8", cancellationToken);
                            break;
                        }

                        _mail = line;
                        _recipients.Clear();
                        await WriteAsync("250 2.1.0 Ok", cancellationToken);
                        break;
                    case "RCPT":
                        var address = line[(line.IndexOf('<', StringComparison.Ordinal) + 1)..line.IndexOf('>', StringComparison.Ordinal)];
                        var reply = behaviour.RecipientReply(address);
                        if (reply.StartsWith('2'))
                        {
                            _recipients.Add(address);
                        }

                        await WriteAsync(reply, cancellationToken);
                        break;
                    case "DATA":
                        if (_mail is null || _recipients.Count == 0)
                        {
                            await WriteAsync("503 5.5.1 No valid recipients", cancellationToken);
                            break;
                        }

                        await WriteAsync("354 End data with <CR><LF>.<CR><LF>", cancellationToken);
                        var data = await _reader.ReadDataAsync(cancellationToken);
                        if (behaviour.DropAfterData)
                        {
                            return;
                        }

                        var dataReply = behaviour.Strict && HasLineOver1000Octets(data) ? "500 5.5.2 Line too long" : behaviour.DataReply;
                        if (dataReply.StartsWith('2'))
                        {
                            server.Messages.Enqueue(new ReceivedMessage(_mail, [.. _recipients], data, _tls, _user));
                            server._received.Raise();
                        }

                        _mail = null;
                        await WriteAsync(dataReply, cancellationToken);
                        break;
                    case "RSET":
                        _mail = null;
                        _recipients.Clear();
                        await WriteAsync("250 2.0.0 Ok", cancellationToken);
                        break;
                    case "QUIT":
                        await WriteAsync("221 2.0.0 Bye", cancellationToken);
                        return;
                    default:
                        await WriteAsync("502 5.5.2 Command not recognized", cancellationToken);
                        break;
                }
            }
        }

        private static bool HasLineOver1000Octets(byte[] data)
        {
            var start = 0;
            for (var i = 0; i < data.Length; i++)
            {
                if (data[i] == (byte)'\n')
                {
                    if (i + 1 - start > 1000)
                    {
                        return true;
                    }

                    start = i + 1;
                }
            }

            return data.Length - start > 1000;
        }

        private string EhloReply()
        {
            var lines = new List<string> { "fake.test" };
            lines.AddRange(behaviour.Extensions);
            if (behaviour.Certificate is not null && !_tls)
            {
                lines.Add("STARTTLS");
            }

            if (behaviour.Credentials is not null)
            {
                lines.Add("AUTH PLAIN");
            }

            return string.Join("\r\n", lines.Select((text, index) => (index == lines.Count - 1 ? "250 " : "250-") + text));
        }

        private async Task AuthenticateAsync(string line, CancellationToken cancellationToken)
        {
            var parts = line.Split(' ');
            string? response = parts.Length > 2 ? parts[2] : null;
            if (response is null)
            {
                await WriteAsync("334 ", cancellationToken);
                response = Encoding.ASCII.GetString(await _reader.ReadLineAsync(cancellationToken) ?? []).Trim();
            }

            var fields = Encoding.UTF8.GetString(Convert.FromBase64String(response)).Split('\0');
            if (behaviour.Credentials is { } expected && fields.Length == 3 && fields[1] == expected.UserName && fields[2] == expected.Password)
            {
                _user = fields[1];
                await WriteAsync("235 2.7.0 Authentication successful", cancellationToken);
            }
            else
            {
                await WriteAsync("535 5.7.8 Authentication credentials invalid", cancellationToken);
            }
        }

        private async Task WriteAsync(string reply, CancellationToken cancellationToken)
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\r\n"), cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
    }
}
