using System.Security.Cryptography.X509Certificates;

namespace MailRelay.Tests.Delivery.Transport;

/// <summary>How a <see cref="FakeSmtpServer"/> answers; each test sets what it needs.</summary>
internal sealed class FakeSmtpBehaviour
{
    public string Greeting { get; init; } = "220 fake.test ESMTP";

    /// <summary>EHLO keywords after the first line (STARTTLS and AUTH are added from the options below).</summary>
    public IReadOnlyList<string> Extensions { get; init; } = ["PIPELINING", "8BITMIME", "SMTPUTF8", "SIZE 10485760", "ENHANCEDSTATUSCODES"];

    /// <summary>Offers STARTTLS with this certificate.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Offers AUTH PLAIN and requires these credentials (and TLS) before MAIL.</summary>
    public (string UserName, string Password)? Credentials { get; init; }

    /// <summary>The reply to RCPT TO for a recipient address.</summary>
    public Func<string, string> RecipientReply { get; init; } = _ => "250 2.1.5 Ok";

    /// <summary>The reply after the final dot.</summary>
    public string DataReply { get; init; } = "250 2.0.0 Ok: queued";

    /// <summary>
    /// Behaves like a strict next hop: a MAIL FROM asking for SMTPUTF8 it did not announce gets
    /// <c>555 5.5.4</c>, and message data holding a line over 1,000 octets (CRLF included) gets
    /// <c>500 5.5.2 Line too long</c> and is not kept.
    /// </summary>
    public bool Strict { get; init; }

    /// <summary>Closes the connection after reading the message data, without replying.</summary>
    public bool DropAfterData { get; init; }
}
