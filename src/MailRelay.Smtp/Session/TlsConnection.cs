using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailRelay.Smtp.Session;

/// <summary>The TLS layer STARTTLS puts over the connection: an <see cref="SslStream"/> and pipes over it.</summary>
public sealed class TlsConnection : IAsyncDisposable
{
    private readonly SslStream stream;

    private TlsConnection(SslStream stream)
    {
        this.stream = stream;
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        Description = $"{stream.SslProtocol} {stream.NegotiatedCipherSuite}";
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    public string Description { get; }

    /// <summary>
    /// Runs the server handshake, which must be over within <paramref name="timeout"/> however its records
    /// trickle in (TlsTimeout); any other failure ends the session as TlsFailed.
    /// </summary>
    public static async Task<TlsConnection> AcceptAsync(
        PipeReader input, PipeWriter output, X509Certificate2 certificate, TimeSpan timeout, TimeProvider timeProvider)
    {
        var stream = new SslStream(new DuplexPipeStream(input, output), leaveInnerStreamOpen: false);
        using var timer = new CancellationTokenSource(timeout, timeProvider);
        try
        {
            var options = new SslServerAuthenticationOptions { ServerCertificate = certificate, ClientCertificateRequired = false };
            await stream.AuthenticateAsServerAsync(options, timer.Token);
            return new TlsConnection(stream);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            await stream.DisposeAsync();
            throw new SessionEndException(timer.IsCancellationRequested ? SessionOutcome.TlsTimeout : SessionOutcome.TlsFailed, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Output.FlushAsync();
            await stream.ShutdownAsync();
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The peer may already be gone; the connection closes either way.
        }

        await Input.CompleteAsync();
        await Output.CompleteAsync();
        await stream.DisposeAsync();
    }
}
