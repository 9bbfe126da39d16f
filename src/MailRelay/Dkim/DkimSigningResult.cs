using MimeKit;

namespace MailRelay.Dkim;

/// <summary>
/// The signer's answer. When <see cref="Outcome"/> is <see cref="DkimSigningOutcome.SignatureCreated"/>,
/// <see cref="HeaderField"/> holds the complete <c>DKIM-Signature:</c> field (folded with CRLF, ending in CRLF)
/// to put before the message's first byte; the message bytes themselves stay unchanged.
/// </summary>
public sealed class DkimSigningResult
{
    private DkimSigningResult(DkimSigningOutcome outcome, string? domain, string? selector, byte[]? headerField)
    {
        Outcome = outcome;
        Domain = domain;
        Selector = selector;
        HeaderField = headerField;
    }

    public DkimSigningOutcome Outcome { get; }

    /// <summary>d= of the signature (or of the signature already present).</summary>
    public string? Domain { get; }

    public string? Selector { get; }

    /// <summary>The field's bytes, ASCII; null unless signed.</summary>
    public byte[]? HeaderField { get; }

    /// <summary>
    /// Puts the signature first in a message parsed from the same bytes that were signed; MimeKit keeps the
    /// field's raw bytes, so writing the message with CRLF line endings sends exactly what was signed.
    /// Does nothing unless signed.
    /// </summary>
    public void PrependTo(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (HeaderField is null)
        {
            return;
        }

        if (!Header.TryParse(HeaderField, out var header))
        {
            throw new InvalidOperationException("The DKIM-Signature field does not parse as a header field.");
        }

        message.Headers.Insert(0, header);
    }

    internal static DkimSigningResult Signed(DkimKey key, byte[] headerField) => new(DkimSigningOutcome.SignatureCreated, key.Domain, key.Selector, headerField);

    internal static DkimSigningResult NotSigned(DkimSigningOutcome outcome, DkimKey? key = null) =>
        new(outcome, key?.Domain, key?.Selector, null);
}
