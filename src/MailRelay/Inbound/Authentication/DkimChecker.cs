using MimeKit;
using MimeKit.Cryptography;

namespace MailRelay.Inbound.Authentication;

/// <summary>
/// Checks every DKIM-Signature of a message (RFC 6376) with MimeKit's <see cref="DkimVerifier"/>, keys from DNS. MimeKit
/// answers only true or false; the reasons a signature is not acceptable, as against broken, are found here: rsa-sha1
/// (RFC 8301 forbids relying on it) and an RSA key under 1024 bits. MimeKit does not look at <c>x=</c>: an expired signature
/// that still verifies passes.
/// </summary>
public sealed class DkimChecker
{
    /// <summary>Signatures checked per message; any beyond are reported as neutral, so a message cannot ask for endless key lookups.</summary>
    public const int MaxSignatures = 8;

    private const int SignaturePrefixLength = 8;
    private const int MinimumRsaKeyBits = 1024;

    private readonly AuthenticationDns _dns;

    public DkimChecker(AuthenticationDns dns)
    {
        ArgumentNullException.ThrowIfNull(dns);
        _dns = dns;
    }

    /// <summary>One outcome per DKIM-Signature field, in the order of the header; empty when there is none.</summary>
    public async Task<IReadOnlyList<DkimSignatureOutcome>> CheckAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var locator = new DnsDkimKeyLocator(_dns);
        var verifier = new DkimVerifier(locator) { MinimumRsaKeyLength = MinimumRsaKeyBits };
        var outcomes = new List<DkimSignatureOutcome>();
        foreach (var field in message.Headers.Where(h => h.Id == HeaderId.DkimSignature))
        {
            var tags = TagList.Parse(field.Value, out _);
            var domain = tags.GetValueOrDefault("d")?.TrimEnd('.').ToLowerInvariant();
            var selector = tags.GetValueOrDefault("s");
            var prefix = tags.GetValueOrDefault("b") is { Length: > 0 } b ? b[..Math.Min(SignaturePrefixLength, b.Length)] : null;
            if (outcomes.Count == MaxSignatures)
            {
                outcomes.Add(new DkimSignatureOutcome(AuthResult.Neutral, domain, selector, prefix, "too many signatures"));
                continue;
            }

            var (result, reason) = await VerifyOneAsync(verifier, locator, message, field, tags, domain, selector, cancellationToken);
            outcomes.Add(new DkimSignatureOutcome(result, domain, selector, prefix, reason));
        }

        return outcomes;
    }

    /// <summary>
    /// The best of several results for the summary: pass, then fail (a signature that was checked and broke says more than
    /// one that could not be checked), policy, neutral, temperror, permerror; none when there was no signature.
    /// </summary>
    public static string Best(IEnumerable<DkimSignatureOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        string[] order = [AuthResult.Pass, AuthResult.Fail, AuthResult.Policy, AuthResult.Neutral, AuthResult.TempError, AuthResult.PermError];
        var results = outcomes.Select(o => o.Result).ToHashSet(StringComparer.Ordinal);
        return order.FirstOrDefault(results.Contains) ?? AuthResult.None;
    }

    private static async Task<(string Result, string? Reason)> VerifyOneAsync(
        DkimVerifier verifier,
        DnsDkimKeyLocator locator,
        MimeMessage message,
        Header field,
        Dictionary<string, string> tags,
        string? domain,
        string? selector,
        CancellationToken cancellationToken)
    {
        if (string.Equals(tags.GetValueOrDefault("a"), "rsa-sha1", StringComparison.OrdinalIgnoreCase))
        {
            return (AuthResult.Policy, "rsa-sha1 not accepted");
        }

        bool verified;
        try
        {
            verified = await verifier.VerifyAsync(message, field, cancellationToken);
        }
        catch (DkimKeyUnavailableException e)
        {
            return (e.Result, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The verification's deadline passed while the body was hashed or the key was asked for.
            return (AuthResult.TempError, "deadline passed");
        }
        catch (FormatException)
        {
            // A malformed signature (a missing tag, From not signed, i= outside d=): ParseException is a FormatException too.
            return (AuthResult.PermError, "signature syntax error");
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or Org.BouncyCastle.Crypto.CryptoException)
        {
            return (AuthResult.PermError, "signature not verifiable");
        }

        if (verified)
        {
            return (AuthResult.Pass, null);
        }

        if (domain is not null && selector is not null && locator.RsaKeyBits(domain, selector) is < MinimumRsaKeyBits)
        {
            return (AuthResult.Policy, "key too short");
        }

        return (AuthResult.Fail, "signature did not verify");
    }
}
