using System.Diagnostics;

namespace MailRelay.Bench.Spool;

/// <summary>
/// One measured run of concurrent writers, each committing messages until <c>messages</c> are done: the rate, each
/// commit's latency (p50, p99) and the process's CPU (user+sys) over the run.
/// </summary>
internal static class WriterRun
{
    public static async Task<SpoolLoadResult> MeasureAsync(
        string mode, int writers, int messages, Func<int, Func<Task>> writer, Func<long> syncs)
    {
        var remaining = messages;
        var latencies = new List<double>[writers];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = [];
            var commitOne = writer(w);
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var started = Stopwatch.GetTimestamp();
                await commitOne();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })));
        clock.Stop();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new SpoolLoadResult(mode, messages, clock.Elapsed, syncs(), all[all.Length / 2], all[(int)(all.Length * 0.99)], used);
    }

    /// <summary>A fresh, empty data directory.</summary>
    public static void Reset(string dataDirectory)
    {
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        Directory.CreateDirectory(dataDirectory);
    }
}
