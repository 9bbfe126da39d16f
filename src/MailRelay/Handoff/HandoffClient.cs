using System.Globalization;
using System.Net.Sockets;
using System.Text;
using MailRelay.Queue;

namespace MailRelay.Handoff;

/// <summary>
/// One SMTP connection to the peer relay taking over a queue. It needs XARRIVAL (offered only to HANDOFF_PEERS), so
/// each message keeps its original arrival time, and CHUNKING: BDAT sends the queue file's bytes exactly as stored,
/// with no dot-stuffing to undo. Envelope and DSN parameters (RET, ENVID, NOTIFY, ORCPT) go as they were received.
/// Replies are read line by line, each line bounded, each wait bounded by <see cref="ReplyTimeout"/>.
/// </summary>
internal sealed class HandoffClient : IAsyncDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromMinutes(2);
    private const int MaxReplyLine = 4096;
    private const int CopyBuffer = 64 * 1024;

    private readonly TcpClient _tcp;
    private NetworkStream _stream = null!;
    private readonly byte[] _buffer = new byte[MaxReplyLine];
    private int _start;
    private int _end;

    private HandoffClient(TcpClient tcp)
    {
        _tcp = tcp;
    }

    /// <summary>Where the messages go, as <c>host:port</c>, for logs and state records.</summary>
    public string Peer { get; private init; } = string.Empty;

    /// <exception cref="HandoffException">The peer cannot be reached or does not offer XARRIVAL and CHUNKING to us.</exception>
    public static async Task<HandoffClient> ConnectAsync(string host, int port, string heloName, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        var client = new HandoffClient(tcp) { Peer = $"{host}:{port.ToString(CultureInfo.InvariantCulture)}" };
        try
        {
            await tcp.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            client._stream = tcp.GetStream();
            var greeting = await client.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (greeting.Code != 220)
            {
                throw new HandoffException($"{client.Peer} greeted with {greeting.Text}");
            }

            await client.WriteAsync($"EHLO {heloName}\r\n", cancellationToken).ConfigureAwait(false);
            var ehlo = await client.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            var keywords = ehlo.Lines.Select(l => l.Split(' ')[0].ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
            if (ehlo.Code != 250 || !keywords.Contains("XARRIVAL") || !keywords.Contains("CHUNKING"))
            {
                throw new HandoffException(
                    $"{client.Peer} does not take handed-over mail from this pod (no XARRIVAL or CHUNKING after EHLO); is this pod's network in its HANDOFF_PEERS?");
            }

            return client;
        }
        catch (Exception exception) when (exception is IOException or SocketException)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new HandoffException($"{client.Peer}: {exception.Message}", exception);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends one message for <paramref name="recipients"/>; returns those the peer took (its 250 after the content
    /// means they are its to deliver). An empty list means it took none; the message stays here.
    /// </summary>
    /// <exception cref="IOException">The connection broke: what was in flight is unknown, the rest must wait.</exception>
    public async Task<IReadOnlyList<string>> SendAsync(QueueEntry entry, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(recipients);
        var envelope = entry.Envelope;
        var commands = new StringBuilder();
        commands.Append(CultureInfo.InvariantCulture, $"MAIL FROM:<{envelope.Sender}> XARRIVAL={entry.ArrivalTime.ToUnixTimeMilliseconds()} SIZE={entry.Size}");
        if (envelope.Body == MessageBodyType.EightBitMime)
        {
            commands.Append(" BODY=8BITMIME");
        }

        if (envelope.SmtpUtf8)
        {
            commands.Append(" SMTPUTF8");
        }

        if (envelope.EnvelopeId is { } envelopeId)
        {
            commands.Append(" ENVID=").Append(envelopeId);
        }

        if (envelope.Return != DsnReturn.Unspecified)
        {
            commands.Append(envelope.Return == DsnReturn.Full ? " RET=FULL" : " RET=HDRS");
        }

        commands.Append("\r\n");
        foreach (var recipient in recipients)
        {
            commands.Append("RCPT TO:<").Append(recipient).Append('>');
            var dsn = envelope.DsnOptionsOf(recipient);
            if (RecipientDsnOptions.FormatNotify(dsn.Notify) is { } notify)
            {
                commands.Append(" NOTIFY=").Append(notify);
            }

            if (dsn.OriginalRecipient is { } original)
            {
                commands.Append(" ORCPT=").Append(original);
            }

            commands.Append("\r\n");
        }

        // PIPELINING: the envelope in one write, then its replies in order.
        await WriteAsync(commands.ToString(), cancellationToken).ConfigureAwait(false);
        var mail = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        var accepted = new List<string>(recipients.Count);
        foreach (var recipient in recipients)
        {
            var reply = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (mail.Code == 250 && reply.Code is 250 or 251)
            {
                accepted.Add(recipient);
            }
        }

        if (accepted.Count == 0)
        {
            await ResetAsync(cancellationToken).ConfigureAwait(false);
            return [];
        }

        await WriteAsync($"BDAT {entry.Size.ToString(CultureInfo.InvariantCulture)} LAST\r\n", cancellationToken).ConfigureAwait(false);
        await CopyContentAsync(entry, cancellationToken).ConfigureAwait(false);
        var done = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        return done.Code == 250 ? accepted : [];
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_tcp.Connected)
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await WriteAsync("QUIT\r\n", quick.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing anyway.
        }

        _tcp.Dispose();
    }

    private async Task ResetAsync(CancellationToken cancellationToken)
    {
        await WriteAsync("RSET\r\n", cancellationToken).ConfigureAwait(false);
        await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task CopyContentAsync(QueueEntry entry, CancellationToken cancellationToken)
    {
        await using var file = entry.OpenContent(new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
            Options = FileOptions.SequentialScan,
        });
        var buffer = new byte[CopyBuffer];
        var left = entry.Size;
        while (left > 0)
        {
            var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"{entry.QueueId}: the queue file is shorter than its header says");
            }

            await _stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            left -= read;
        }
    }

    private async Task WriteAsync(string text, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);

    private async Task<Reply> ReadReplyAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReplyTimeout);
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(timeout.Token).ConfigureAwait(false);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                throw new IOException($"Not an SMTP reply: {line}");
            }

            lines.Add(line.Length > 4 ? line[4..] : string.Empty);
            if (line.Length == 3 || line[3] == ' ')
            {
                return new Reply(code, line, lines);
            }
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == '\r')
                {
                    length--;
                }

                var line = Encoding.UTF8.GetString(_buffer, _start, length);
                _start = newline + 1;
                return line;
            }

            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new IOException($"A reply line longer than {MaxReplyLine} octets");
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("The peer closed the connection");
            }

            _end += read;
        }
    }

    private sealed record Reply(int Code, string Text, IReadOnlyList<string> Lines);
}
