using System.Net.Sockets;
using System.Text;
using MailRelay.Tests.Delivery.Transport;

namespace MailRelay.Tests.Integration;

/// <summary>
/// One SMTP dialogue with a <see cref="FakeProviderMx"/>: a greeting and EHLO (each after the provider's greeting latency),
/// MAIL (whose arrival is recorded and where the hidden budget is checked), RCPT, DATA, RSET, NOOP, QUIT.
/// </summary>
internal sealed class FakeProviderSession(FakeProviderMx provider, FakeProviderConnection connection, ReceiveClockStream stream)
{
    private readonly LineReader _reader = new(stream);
    private readonly List<string> _recipients = [];
    private bool _inTransaction;
    private bool _closing;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DialogueAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away or the test ended.
        }
        finally
        {
            Close();
        }
    }

    private async Task DialogueAsync(CancellationToken cancellationToken)
    {
        await GreetSlowlyAsync(cancellationToken);
        await WriteAsync("220 mx.fakeprovider.test ESMTP", cancellationToken);
        while (await _reader.ReadLineAsync(cancellationToken) is { } raw)
        {
            var line = Encoding.UTF8.GetString(raw).TrimEnd('\r', '\n');
            switch (line.Split(' ', 2)[0].ToUpperInvariant())
            {
                case "EHLO":
                    await GreetSlowlyAsync(cancellationToken);
                    await WriteAsync("250-mx.fakeprovider.test\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES", cancellationToken);
                    break;
                case "HELO":
                case "NOOP":
                    await WriteAsync("250 2.0.0 Ok", cancellationToken);
                    break;
                case "MAIL":
                    provider.OnMailFrom(stream.LastReceiveAt);
                    if (!provider.TryAdmit())
                    {
                        provider.OnRateLimited(connection);
                        Close();
                        await WriteAsync(FakeProviderMx.RateLimitedReply, cancellationToken);
                        return;
                    }

                    _inTransaction = true;
                    _recipients.Clear();
                    await WriteAsync("250 2.1.0 Ok", cancellationToken);
                    break;
                case "RCPT":
                    _recipients.Add(line[(line.IndexOf('<', StringComparison.Ordinal) + 1)..line.IndexOf('>', StringComparison.Ordinal)]);
                    await WriteAsync("250 2.1.5 Ok", cancellationToken);
                    break;
                case "DATA" when !_inTransaction || _recipients.Count == 0:
                    await WriteAsync("503 5.5.1 No valid recipients", cancellationToken);
                    break;
                case "DATA":
                    await WriteAsync("354 End data with <CR><LF>.<CR><LF>", cancellationToken);
                    var content = await _reader.ReadDataAsync(cancellationToken);
                    if (provider.DataLatency > TimeSpan.Zero)
                    {
                        // Simulates the provider's processing time, so deliveries overlap as they do against a real one.
                        await Task.Delay(provider.DataLatency, cancellationToken);
                    }

                    _inTransaction = false;
                    provider.OnAccepted(connection, [.. _recipients], content);
                    await WriteAsync("250 2.0.0 Ok: queued", cancellationToken);
                    break;
                case "RSET":
                    _inTransaction = false;
                    _recipients.Clear();
                    await WriteAsync("250 2.0.0 Ok", cancellationToken);
                    break;
                case "QUIT":
                    Close();
                    await WriteAsync("221 2.0.0 Bye", cancellationToken);
                    return;
                default:
                    await WriteAsync("502 5.5.2 Command not recognized", cancellationToken);
                    break;
            }
        }
    }

    private async Task GreetSlowlyAsync(CancellationToken cancellationToken)
    {
        if (provider.GreetingLatency > TimeSpan.Zero)
        {
            await Task.Delay(provider.GreetingLatency, cancellationToken);
        }
    }

    private void Close()
    {
        if (!_closing)
        {
            _closing = true;
            provider.OnClosing();
        }
    }

    private async Task WriteAsync(string reply, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\r\n"), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }
}
