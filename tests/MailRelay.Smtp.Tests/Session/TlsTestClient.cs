using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

/// <summary>The client side of a test connection after STARTTLS: line commands over an <see cref="SslStream"/>.</summary>
public sealed class TlsTestClient : IAsyncDisposable
{
    private readonly SslStream stream;

    private TlsTestClient(SslStream stream)
    {
        this.stream = stream;
    }

    /// <summary>Sends STARTTLS (EHLO must have been sent), expects 220 and completes the handshake.</summary>
    public static async Task<TlsTestClient> StartAsync(SmtpTestConnection connection, X509Certificate2 serverCertificate)
    {
        Assert.Equal(220, (await connection.CommandAsync("STARTTLS")).Code);
        var expected = serverCertificate.GetCertHashString();
        var stream = new SslStream(
            new DuplexPipeStream(connection.ClientInput, connection.ClientOutput),
            false,
            (_, presented, _, _) => presented is not null && presented.GetCertHashString() == expected);
        await stream.AuthenticateAsClientAsync("mx.test");
        return new TlsTestClient(stream);
    }

    /// <summary>Sends one line and returns every line of the reply.</summary>
    public Task<List<string>> CommandAsync(string line) => CommandAsync(stream, line);

    /// <summary>Sends one line over <paramref name="connection"/> and returns every line of the reply.</summary>
    public static async Task<List<string>> CommandAsync(Stream connection, string line)
    {
        await connection.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
        await connection.FlushAsync();
        var lines = new List<string>();
        var current = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            var read = await connection.ReadAsync(one).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(1, read);
            if (one[0] != '\n')
            {
                current.Append((char)one[0]);
                continue;
            }

            var text = current.ToString().TrimEnd('\r');
            current.Clear();
            lines.Add(text);
            if (text.Length < 4 || text[3] == ' ')
            {
                return lines;
            }
        }
    }

    public async ValueTask DisposeAsync() => await stream.DisposeAsync();
}
