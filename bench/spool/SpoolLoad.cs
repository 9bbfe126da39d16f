using System.Diagnostics;
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
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

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

        var remaining = _messages;
        var latencies = new List<double>[_writers];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, _writers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = [];
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var started = Stopwatch.GetTimestamp();
                await using var writer = await spool.BeginAsync(envelope);
                await writer.WriteAsync(content);
                await writer.CommitAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })));
        clock.Stop();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new SpoolLoadResult(
            maxBatchSize == 1 ? "unbatched" : "batched",
            _messages,
            clock.Elapsed,
            spool.Statistics.DirectorySyncs,
            all[all.Length / 2],
            all[(int)(all.Length * 0.99)],
            used);
    }
}
