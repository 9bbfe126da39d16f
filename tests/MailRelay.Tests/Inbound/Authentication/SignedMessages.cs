using System.Security.Cryptography;
using System.Text;
using MimeKit;
using MimeKit.Cryptography;

namespace MailRelay.Tests.Inbound.Authentication;

/// <summary>Test messages as they arrive on the wire (CRLF), signed with MimeKit's DkimSigner (relaxed/relaxed, rsa-sha256).</summary>
internal static class SignedMessages
{
    private static readonly FormatOptions Wire = CreateWireOptions();

    /// <summary>A plain message from <paramref name="from"/>, unsigned.</summary>
    public static byte[] Unsigned(string from, string body = "Hello.\r\n") =>
        Encoding.ASCII.GetBytes(
            $"From: Sender <{from}>\r\nTo: dmarc@relay.test\r\nSubject: Report\r\nMessage-ID: <1@test>\r\n" +
            $"Date: Sun, 06 Dec 2026 07:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n{body}");

    /// <summary><paramref name="message"/> with one more DKIM-Signature, made with <paramref name="key"/> for d= and s=.</summary>
    public static byte[] Sign(byte[] message, RSA key, string domain, string selector)
    {
        var parsed = MimeMessage.Load(new MemoryStream(message));
        using var pem = new MemoryStream(Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
        var signer = new DkimSigner(pem, domain, selector, DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        signer.Sign(Wire, parsed, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.MessageId, HeaderId.Date]);
        using var output = new MemoryStream();
        parsed.WriteTo(Wire, output);
        // The signature field's raw value folds with LF on Linux: the wire has CRLF only.
        var text = Encoding.ASCII.GetString(output.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        return Encoding.ASCII.GetBytes(text);
    }

    /// <summary>The message with its body text replaced, the header (and so every signature) kept as it was.</summary>
    public static byte[] WithBody(byte[] message, string body)
    {
        var text = Encoding.ASCII.GetString(message);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return Encoding.ASCII.GetBytes(text[..(end + 4)] + body);
    }

    private static FormatOptions CreateWireOptions()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        return options;
    }
}
