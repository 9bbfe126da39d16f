using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// Opens one SMTP connection to one address of a next hop: TCP connect (to the address we resolved, so
/// INET_PROTOCOLS and our MX order hold), greeting, EHLO, STARTTLS per the hop's policy with the
/// certificate checked against the host name, and AUTH when the hop has credentials. Every failure comes
/// back as a reply in SMTP form, never as an exception (only the caller's cancellation throws).
/// </summary>
public sealed class HopConnector
{
    private readonly SmtpTransportOptions _options;
    private readonly TimeProvider _timeProvider;

    public HopConnector(SmtpTransportOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _timeProvider = timeProvider;
    }

    public async Task<ConnectResult> ConnectAsync(NextHop hop, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hop);
        ArgumentNullException.ThrowIfNull(endPoint);
        var relay = ReplyText.Describe(hop, endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var connectTimeout = new CancellationTokenSource(_options.ConnectTimeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connectTimeout.Token);
            await socket.ConnectAsync(endPoint, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            return ConnectResult.Failed(ReplyText.Local(451, "4.4.1", $"connect to {relay}: Connection timed out"));
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            return ConnectResult.Failed(ReplyText.Local(451, "4.4.1", $"connect to {relay}: {Describe(ex)}"));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new RelayingSmtpClient(hop, endPoint)
        {
            LocalDomain = _options.HostName,
            Timeout = Milliseconds(_options.CommandTimeout),
            // Revocation lists would mean fetching from the network inside a delivery; MTAs do not.
            CheckCertificateRevocation = false,
        };
        if (hop.Security is HopSecurity.Opportunistic)
        {
            // Opportunistic TLS protects against passive listeners only; refusing an unverifiable
            // certificate would just push the mail to plain text, so any certificate is accepted.
#pragma warning disable CA5359 // Deliberate: Postfix's "may" level, documented in docs/delivery.md.
            client.ServerCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (_options.RelayCertificateValidation is { } validation)
        {
            client.ServerCertificateValidationCallback = validation;
        }

        try
        {
            await client.ConnectAsync(socket, hop.Host, endPoint.Port, SocketOptions(hop.Security), cancellationToken).ConfigureAwait(false);
            var authFailure = await AuthenticateAsync(client, hop, endPoint, relay, cancellationToken).ConfigureAwait(false);
            if (authFailure is not null)
            {
                await SmtpConnectionPool.CloseAsync(client, _timeProvider).ConfigureAwait(false);
                return ConnectResult.Failed(authFailure);
            }

            return ConnectResult.Connected(client);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await SmtpConnectionPool.CloseAsync(client, _timeProvider).ConfigureAwait(false);
            socket.Dispose();
            return ConnectResult.Failed(Classify(ex, hop, relay));
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
    }

    private static async Task<RemoteReply?> AuthenticateAsync(
        RelayingSmtpClient client, NextHop hop, IPEndPoint endPoint, string relay, CancellationToken cancellationToken)
    {
        if (hop.Credentials is not { } credentials)
        {
            return null;
        }

        if (!client.IsSecure && !IPAddress.IsLoopback(endPoint.Address))
        {
            return ReplyText.Local(451, "4.7.0", $"refusing to send credentials to {relay} without TLS");
        }

        if (!client.Capabilities.HasFlag(SmtpCapabilities.Authentication))
        {
            return ReplyText.Local(451, "4.7.0", $"{relay} does not offer AUTH, and credentials are configured");
        }

        try
        {
            await client.AuthenticateAsync(new NetworkCredential(credentials.UserName, credentials.Password), cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (AuthenticationException ex)
        {
            // A refused login is a configuration problem to fix, not a reason to bounce the mail.
            return ReplyText.Local(451, "4.7.8", $"authentication to {relay} failed: {ex.Message}");
        }
    }

    private static RemoteReply Classify(Exception exception, NextHop hop, string relay) => exception switch
    {
        SmtpCommandException command => ReplyText.From(command),
        SslHandshakeException tls => ReplyText.Local(451, "4.7.5", $"TLS with {relay} failed: {FirstLine(tls.Message)}"),
        NotSupportedException when hop.Security is HopSecurity.RequiredStartTls =>
            ReplyText.Local(451, "4.7.4", $"{relay} does not offer STARTTLS, which RELAY_TLS=required demands"),
        SocketException socket => ReplyText.Local(451, "4.4.2", $"lost connection with {relay} while connecting: {Describe(socket)}"),
        _ => ReplyText.Local(451, "4.4.2", $"lost connection with {relay} while connecting: {FirstLine(exception.Message)}"),
    };

    private static SecureSocketOptions SocketOptions(HopSecurity security) => security switch
    {
        HopSecurity.Opportunistic => SecureSocketOptions.StartTlsWhenAvailable,
        HopSecurity.RequiredStartTls => SecureSocketOptions.StartTls,
        HopSecurity.ImplicitTls => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.None,
    };

    private static string Describe(SocketException exception) => exception.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "Connection refused",
        SocketError.TimedOut => "Connection timed out",
        SocketError.HostUnreachable => "No route to host",
        SocketError.NetworkUnreachable => "Network is unreachable",
        SocketError.ConnectionReset => "Connection reset by peer",
        _ => exception.Message,
    };

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }

    internal static int Milliseconds(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? Timeout.Infinite : (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds);
}
