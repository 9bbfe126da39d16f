using MailRelay.Queue;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Bench.Spool;

/// <summary>Concurrent writers committing fixed-size messages into a fresh spool; one measured run.</summary>
internal sealed class SpoolLoad(string dataDirectory, int writers, int messages, int messageSize)
{
    public async Task<SpoolLoadResult> RunAsync(int maxBatchSize)
    {
        WriterRun.Reset(dataDirectory);
        await using var spool = new MailRelay.Queue.Spool(
            dataDirectory, TimeProvider.System, NullLogger.Instance, new PosixDiskSync(), new Random(),
            maxBatchSize, waitingChanged: null);
        spool.Initialize();

        var content = new byte[messageSize];
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
            writers,
            messages,
            _ => async () =>
            {
                await using var writer = await spool.BeginAsync(envelope);
                await writer.WriteAsync(content);
                await writer.CommitAsync();
            },
            () => spool.Statistics.DirectorySyncs);
    }
}
