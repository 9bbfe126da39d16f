using System.Text;
using MailRelay.Queue;
using MimeKit;
using MimeKit.IO;

namespace MailRelay.Delivery.Transport;

/// <summary>
/// A queued message opened for sending: parsed by MimeKit over the file that keeps it (persistent, so the
/// bodies stay on disk and are streamed, not copied into memory) or, for small messages, over their bytes
/// read at once; with a signature header in front when a signer gave one. Holds the file open until disposed.
/// </summary>
public sealed class LoadedMessage : IAsyncDisposable
{
    private readonly FileStream _file;
    private bool? _headersAreAscii;

    private LoadedMessage(FileStream file, MimeMessage message, long size)
    {
        _file = file;
        Message = message;
        Size = size;
    }

    public MimeMessage Message { get; }

    /// <summary>
    /// Whether every header field, of the message and of its MIME parts (not of messages attached to it), is
    /// plain ASCII as stored: such a message needs no SMTPUTF8 for its headers, whatever the client's MAIL FROM said.
    /// </summary>
    public bool HeadersAreAscii => _headersAreAscii ??= AllHeadersAscii(Message);

    /// <summary>
    /// Whether the stored message had lines over 998 octets and what is sent is its rewritten form (see
    /// <see cref="LongLineRewriter"/>); otherwise it is sent byte for byte.
    /// </summary>
    public bool LinesRewritten { get; private init; }

    /// <summary>The bytes that go on the wire (before dot-stuffing): the stored message plus any signature.</summary>
    public long Size { get; }

    /// <summary>
    /// Messages up to this size are read into memory in one go and parsed from there: one read instead of
    /// a 64 KiB buffered, asynchronous file stream per message, which dominated the cost for small mail.
    /// </summary>
    internal const int InMemoryLimit = 64 * 1024;

    /// <exception cref="IOException">The file could not be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file could not be opened.</exception>
    public static async Task<LoadedMessage> OpenAsync(QueueEntry entry, IMessageSigner? signer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var small = entry.Size <= InMemoryLimit;
        var file = entry.OpenContent(new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            // The queue may rewrite its state files or delete the message meanwhile; our handle stays valid.
            Share = FileShare.ReadWrite | FileShare.Delete,
            Options = small ? FileOptions.None : FileOptions.Asynchronous,
            BufferSize = small ? 0 : 64 * 1024,
        });
        try
        {
            // The message's own bytes only: in a segment file other records follow it.
            var size = entry.Size;
            var linesRewritten = false;
            Stream content;
            if (small)
            {
                var stored = new byte[size];
                file.ReadExactly(stored);
                content = new MemoryStream(stored, 0, stored.Length, writable: false, publiclyVisible: true);
            }
            else
            {
                content = QueueContent.Bound(file, size, leaveOpen: true);
            }

            // Lines over the limit of RFC 5322 are rewritten before signing, so the signature covers what is
            // sent; a message whose lines all fit goes byte for byte. BINARYMIME content has no lines to limit.
            if (entry.Envelope.Body != MessageBodyType.BinaryMime && await HasLongLineAsync(content, cancellationToken).ConfigureAwait(false))
            {
                content.Position = 0;
                var rewritten = await LongLineRewriter.RewriteAsync(content, cancellationToken).ConfigureAwait(false);
                await content.DisposeAsync().ConfigureAwait(false);
                content = new MemoryStream(rewritten, writable: false);
                size = rewritten.Length;
                linesRewritten = true;
            }

            content.Position = 0;
            if (signer is not null)
            {
                var header = await signer.CreateSignatureHeaderAsync(content, entry, cancellationToken).ConfigureAwait(false);
                content.Position = 0;
                if (!string.IsNullOrEmpty(header))
                {
                    var bytes = Encoding.UTF8.GetBytes(header);
                    var chained = new ChainedStream();
                    chained.Add(new MemoryStream(bytes, writable: false), leaveOpen: false);
                    chained.Add(content, leaveOpen: false);
                    content = chained;
                    size += bytes.Length;
                }
            }

            // Bytes already in memory parse synchronously: there is nothing to wait for.
            var message = small
                ? MimeMessage.Load(content, persistent: true, cancellationToken)
                : await MimeMessage.LoadAsync(content, persistent: true, cancellationToken).ConfigureAwait(false);
            return new LoadedMessage(file, message, size) { LinesRewritten = linesRewritten };
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask<bool> HasLongLineAsync(Stream content, CancellationToken cancellationToken) =>
        content is MemoryStream memory && memory.TryGetBuffer(out var bytes)
            ? LineLimit.HasLongLine(bytes)
            : await LineLimit.HasLongLineAsync(content, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The message's own header fields and those of its MIME parts; an attached message (message/rfc822, or
    /// the returned headers in a DSN) is body content, which 8BITMIME carries, so its headers do not count.
    /// </summary>
    private static bool AllHeadersAscii(MimeMessage message) =>
        AsciiHeaders(message.Headers) && (message.Body is null || AsciiEntityHeaders(message.Body));

    private static bool AsciiEntityHeaders(MimeEntity entity) =>
        AsciiHeaders(entity.Headers) && (entity is not Multipart multipart || multipart.All(AsciiEntityHeaders));

    private static bool AsciiHeaders(HeaderList headers)
    {
        foreach (var header in headers)
        {
            if (!Ascii.IsValid(header.RawField) || !Ascii.IsValid(header.RawValue))
            {
                return false;
            }
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        Message.Dispose();
        await _file.DisposeAsync().ConfigureAwait(false);
    }
}
