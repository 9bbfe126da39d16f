using System.Security.Cryptography;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Inbound;

/// <summary>Streams one inbound message to its file, hashing it on the way; processes it at the end of DATA.</summary>
internal sealed class InboundMessageWriter : IMessageWriter
{
    private readonly FileStream _file;
    private readonly string _path;
    private readonly string _id;
    private readonly string _trace;
    private readonly DateTimeOffset _arrival;
    private readonly SessionContext _session;
    private readonly MailTransaction _transaction;
    private readonly InboundProcessor _processor;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _eightBit;
    private bool _failed;
    private bool _closed;

    public InboundMessageWriter(
        FileStream file, string path, string id, string trace, DateTimeOffset arrival, SessionContext session, MailTransaction transaction, InboundProcessor processor)
    {
        _file = file;
        _path = path;
        _id = id;
        _trace = trace;
        _arrival = arrival;
        _session = session;
        _transaction = transaction;
        _processor = processor;
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (_failed)
        {
            return;
        }

        _hash.AppendData(content.Span);
        _eightBit |= content.Span.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0;
        try
        {
            await _file.WriteAsync(content, cancellationToken);
        }
        catch (IOException)
        {
            // Keep taking the client's data (the engine does) and answer 451 at the end.
            _failed = true;
        }
    }

    public async ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!_failed)
            {
                await _file.FlushAsync(cancellationToken);
            }
        }
        catch (IOException)
        {
            _failed = true;
        }

        await CloseAsync();
        if (_failed)
        {
            _processor.CountFailure();
            return InboundProcessor.TemporaryFailure;
        }

        var message = new InboundMessage(
            _id,
            _path,
            _session.RemoteAddress,
            _session.HeloName,
            _transaction.ReversePath,
            _transaction.Recipients.ToArray(),
            _arrival,
            _transaction.SmtpUtf8,
            _eightBit,
            Convert.ToHexStringLower(_hash.GetHashAndReset()),
            _trace);
        return await _processor.ProcessAsync(message, cancellationToken);
    }

    public ValueTask AbortAsync() => CloseAsync();

    /// <summary>The file is gone once the message is processed (or refused, or aborted): what was kept is a copy.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _hash.Dispose();
        File.Delete(_path);
    }

    private async ValueTask CloseAsync()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        await _file.DisposeAsync();
    }
}
