using System.Security.Cryptography.X509Certificates;

namespace MailRelay.Smtp.Session;

/// <summary>
/// Every limit and switch of the SMTP engine, in one place (RFC 5321 §4.5.3).
/// </summary>
public sealed class SmtpServerOptions
{
    /// <summary>The name in the greeting and the EHLO reply.</summary>
    public string HostName { get; set; } = "localhost";

    /// <summary>Largest message in octets, advertised with SIZE and enforced on the received bytes.</summary>
    public long MaxMessageSize { get; set; } = 26_214_400;

    /// <summary>Recipients per transaction; RFC 5321 asks for at least 100.</summary>
    public int MaxRecipients { get; set; } = 1000;

    /// <summary>Command line length including CRLF (512 in RFC 5321, plus what extensions add).</summary>
    public int MaxCommandLineLength { get; set; } = 512 + 512;

    /// <summary>
    /// Time allowed for the first byte of the next command, and again for the whole command line counted from
    /// its first byte (a deadline, not an idle timer: a line trickled one byte at a time is cut). One AUTH
    /// exchange, all its challenges and answers, must also be over within this time.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Last bound on a whole session: once reached, the next command (or the rest of a line still arriving) gets
    /// 421 4.4.2 and the session closes. A message being received is finished and answered first.
    /// </summary>
    public TimeSpan MaxSessionDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Idle time allowed between reads inside DATA or BDAT.</summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Minimum average rate during DATA/BDAT, in bytes per second, measured after <see cref="MinDataRateGracePeriod"/>.
    /// Zero disables the check.
    /// </summary>
    public int MinDataRate { get; set; } = 1024;

    /// <summary>Time allowed before the minimum data rate applies.</summary>
    public TimeSpan MinDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failed commands after which the session is closed with 421.</summary>
    public int MaxConsecutiveErrors { get; set; } = 10;

    /// <summary>What a bare LF or bare CR inside DATA gets.</summary>
    public BareNewlinePolicy BareNewline { get; set; } = BareNewlinePolicy.Reject;

    /// <summary>Certificate for STARTTLS; null = STARTTLS is not offered.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Time allowed for the whole STARTTLS handshake, counted from the 220 reply.</summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Clients offered XARRIVAL: the relay's own peers handing over queued mail, whose original arrival time must
    /// travel with it. Nobody else is offered it, and a MAIL FROM that carries it from anyone else gets 555.
    /// </summary>
    public Net.NetworkList ArrivalTimePeers { get; set; } = Net.NetworkList.Empty;

    /// <summary>Checks AUTH credentials; null = AUTH is not offered and the verb answers 502.</summary>
    public ISmtpAuthenticator? Authenticator { get; set; }

    /// <summary>
    /// AUTH only inside TLS (after STARTTLS, or on an implicit-TLS listener): in the clear it is neither
    /// advertised nor accepted (538 5.7.11), so passwords never cross the network readable.
    /// </summary>
    public bool AuthRequiresTls { get; set; } = true;
}
