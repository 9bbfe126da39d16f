using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MailRelay.Queue;

namespace MailRelay.Dkim;

/// <summary>
/// Signs stored messages (RFC 6376, rsa-sha256, relaxed/relaxed). Canonicalization runs over the stored
/// bytes themselves, not over a re-serialised copy, so the signature holds for exactly the bytes sent:
/// the returned field followed by the unchanged message. The body streams through; only the header
/// section (bounded) is held.
/// </summary>
public sealed class DkimMessageSigner
{
    /// <summary>Bigger header sections are not signed (counted as failures).</summary>
    public const int MaxHeaderSectionBytes = 1024 * 1024;

    private const int FoldWidth = 76;

    /// <summary>Signed when present; From once more than present, so no From can be added after signing.</summary>
    private static readonly string[] SignedFields =
    [
        "From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To", "In-Reply-To", "References",
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "List-Unsubscribe", "List-Unsubscribe-Post",
    ];

    private readonly DkimKeyStore _keys;
    private readonly TimeProvider _timeProvider;
    private readonly DkimMetrics _metrics;
    private readonly ILogger _logger;

    public DkimMessageSigner(DkimKeyStore keys, TimeProvider timeProvider, DkimMetrics metrics, ILogger<DkimMessageSigner> logger)
    {
        _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Signs a queued message: reads its <see cref="QueueEntry.Size"/> bytes wherever it is kept (nothing is
    /// changed) with the envelope sender stored beside it.
    /// </summary>
    public async Task<DkimSigningResult> SignAsync(QueueEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var stream = QueueContent.Open(entry, QueueContent.ReadOptions(4096, FileOptions.Asynchronous | FileOptions.SequentialScan));
        await using (stream)
        {
            return await SignAsync(stream, entry.Envelope.Sender, cancellationToken);
        }
    }

    /// <summary>
    /// Reads the message (RFC 5322, CRLF, positioned at its first byte) to its end and signs it for the From
    /// domain, or the envelope sender's domain when the From domain has no key. Not signing is an outcome,
    /// not an exception; reading errors and cancellation propagate.
    /// </summary>
    public async Task<DkimSigningResult> SignAsync(Stream message, string? envelopeSender, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        DkimKey? key = null;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var header = await HeaderSection.ReadAsync(message, buffer, MaxHeaderSectionBytes, cancellationToken);
            (key, var fromDomain, var envelopeDomain) = SigningDomainRule.Choose(_keys, header.Fields, envelopeSender);
            if (key is null)
            {
                _metrics.MessageNotSigned(DkimMetrics.NoKeyReason);
                DkimLog.NoKey(_logger, fromDomain, envelopeDomain);
                return DkimSigningResult.NotSigned(DkimSigningOutcome.NoKey);
            }

            if (CarriesSignatureOf(key, header.Fields))
            {
                _metrics.MessageNotSigned(DkimMetrics.AlreadySignedReason);
                DkimLog.AlreadySigned(_logger, key.Domain, key.Selector);
                return DkimSigningResult.NotSigned(DkimSigningOutcome.AlreadySigned, key);
            }

            var bodyHash = await HashBodyAsync(message, buffer, header.BodyStart, cancellationToken);
            var field = CreateSignatureField(key, header.Fields, bodyHash);
            _metrics.MessageSigned(key.Domain);
            DkimLog.Signed(_logger, key.Domain, key.Selector);
            return DkimSigningResult.Signed(key, field);
        }
        catch (Exception e) when (e is DkimMessageFormatException or CryptographicException)
        {
            _metrics.SigningFailed();
            DkimLog.SigningFailed(_logger, e);
            return DkimSigningResult.NotSigned(DkimSigningOutcome.Failed, key);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<byte[]> HashBodyAsync(Stream message, byte[] buffer, ArraySegment<byte> bodyStart, CancellationToken cancellationToken)
    {
        using var hasher = new RelaxedBodyHasher();
        hasher.Append(bodyStart);
        int read;
        while ((read = await message.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hasher.Append(buffer.AsSpan(0, read));
        }

        return hasher.Finish();
    }

    private static bool CarriesSignatureOf(DkimKey key, IReadOnlyList<RawHeaderField> fields)
    {
        foreach (var field in fields.Where(f => f.Is("DKIM-Signature")))
        {
            var tags = DkimTxtRecord.ParseTags(Encoding.UTF8.GetString(field.Value));
            if (tags.TryGetValue("d", out var domain) && domain.Equals(key.Domain, StringComparison.OrdinalIgnoreCase)
                && tags.TryGetValue("s", out var selector) && selector.Equals(key.Selector, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private byte[] CreateSignatureField(DkimKey key, IReadOnlyList<RawHeaderField> fields, byte[] bodyHash)
    {
        var signedNames = new List<string>();
        foreach (var name in SignedFields)
        {
            var count = fields.Count(f => f.Is(name)) + (name == "From" ? 1 : 0);
            signedNames.AddRange(Enumerable.Repeat(name.ToLowerInvariant(), count));
        }

        var timestamp = _timeProvider.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var unsigned = new StringBuilder();
        unsigned.Append(CultureInfo.InvariantCulture, $"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={key.Domain}; s={key.Selector};\r\n");
        unsigned.Append(CultureInfo.InvariantCulture, $"\tt={timestamp}; h=");
        AppendFolded(unsigned, signedNames, ":", "h=".Length + "\tt=; ".Length + timestamp.Length);
        unsigned.Append(";\r\n\tbh=").Append(Convert.ToBase64String(bodyHash)).Append(";\r\n\tb=");

        // The hash covers the chosen fields, picked bottom-up per name as verifiers do, then this field with b= empty.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var used = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in signedNames)
        {
            used.TryGetValue(name, out var alreadyUsed);
            used[name] = alreadyUsed + 1;
            var instance = fields.Where(f => f.Is(name)).Reverse().Skip(alreadyUsed).FirstOrDefault();
            if (instance is not null)
            {
                hash.AppendData(RelaxedCanonicalization.Header(instance.Name, instance.Value, withCrlf: true));
            }
        }

        var unsignedText = unsigned.ToString();
        var colon = unsignedText.IndexOf(':', StringComparison.Ordinal);
        hash.AppendData(RelaxedCanonicalization.Header("DKIM-Signature", Encoding.ASCII.GetBytes(unsignedText[(colon + 1)..]), withCrlf: false));
        var signature = Convert.ToBase64String(key.SignSha256Hash(hash.GetHashAndReset()));

        var complete = new StringBuilder(unsignedText);
        AppendChunked(complete, signature, FoldWidth - "\tb=".Length);
        complete.Append("\r\n");
        return Encoding.ASCII.GetBytes(complete.ToString());
    }

    /// <summary>Joins items with a separator, folding (CRLF TAB) after a separator before a line grows too long.</summary>
    private static void AppendFolded(StringBuilder text, List<string> items, string separator, int column)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var piece = items[i] + (i < items.Count - 1 ? separator : string.Empty);
            if (i > 0 && column + piece.Length > FoldWidth)
            {
                text.Append("\r\n\t");
                column = 1;
            }

            text.Append(piece);
            column += piece.Length;
        }
    }

    /// <summary>base64 in pieces with folding whitespace between them, which verifiers ignore in b=.</summary>
    private static void AppendChunked(StringBuilder text, string value, int width)
    {
        for (var start = 0; start < value.Length; start += width)
        {
            if (start > 0)
            {
                text.Append("\r\n\t");
            }

            text.Append(value, start, Math.Min(width, value.Length - start));
        }
    }
}
