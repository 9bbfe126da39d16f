using System.Text;
using MailRelay.Delivery.Transport;
using MailRelay.Queue;

namespace MailRelay.Dkim;

/// <summary>
/// Signs each message as the transport sends it: the signature covers exactly the stored bytes that
/// follow it on the wire, so it verifies at the receiver.
/// </summary>
public sealed class DkimTransportSigner : IMessageSigner
{
    private readonly DkimMessageSigner _signer;

    public DkimTransportSigner(DkimMessageSigner signer)
    {
        _signer = signer;
    }

    public async ValueTask<string?> CreateSignatureHeaderAsync(Stream message, QueueEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var result = await _signer.SignAsync(message, entry.Envelope.Sender, cancellationToken);
        return result.HeaderField is null ? null : Encoding.ASCII.GetString(result.HeaderField);
    }
}
