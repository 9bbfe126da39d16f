using MailRelay.Queue;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Bench.Spool;

/// <summary>Concurrent writers committing fixed-size messages into a fresh spool; one measured run.</summary>
internal sealed class SpoolLoad
{
    private readonly string _dataDirectory;
    private readonly int _writers;
    private readonly int _messages;
    private readonly int _messageSize;

    public SpoolLoad(string dataDirectory, int writers, int messages, int messageSize)
    {
        _dataDirectory = dataDirectory;
        _writers = writers;
        _messages = messages;
        _messageSize = messageSize;
    }

    public async Task<SpoolLoadResult> RunAsync(int maxBatchSize)
    {
        WriterRun.Reset(_dataDirectory);
        await using var spool = new MailRelay.Queue.Spool(
            _dataDirectory, TimeProvider.System, NullLogger.Instance, new PosixDiskSync(), new Random(),
            maxBatchSize, waitingChanged: null);
        spool.Initialize();

        var content = new byte[_messageSize];
        Array.Fill(content, (byte)'x');
        var envelope = new SpoolEnvelope
        {
            Sender = "bench@example.com",
            Recipients = ["user@example.net"],
            ClientAddress = "127.0.0.1",
            HeloName = "bench.example.com",
        };

        return await WriterRun.MeasureAsync(
            maxBatchSize == 1 ? "unbatched" : "batched",
            _writers,
            _messages,
            _ => async () =>
            {
                await using var writer = await spool.BeginAsync(envelope);
                await writer.WriteAsync(content);
                await writer.CommitAsync();
            },
            () => spool.Statistics.DirectorySyncs);
    }
}
