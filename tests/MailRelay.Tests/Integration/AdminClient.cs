namespace MailRelay.Tests.Integration;

/// <summary>Reads the admin listener of a daemon process (<c>/metrics</c>, <c>/healthz</c>).</summary>
internal static class AdminClient
{
    public static async Task<string> GetAsync(DaemonProcess daemon, string path)
    {
        var admin = daemon.AdminEndPoint ?? throw new InvalidOperationException("The daemon has no admin listener.");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync(new Uri($"http://{admin}{path}"));
    }

    /// <summary>Scrapes <c>/metrics</c> until <paramref name="condition"/> holds for the samples, within <paramref name="limit"/>.</summary>
    public static async Task<IReadOnlyList<MetricSample>> MetricsWhenAsync(DaemonProcess daemon, Func<IReadOnlyList<MetricSample>, bool> condition, TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            var samples = MetricSample.ParseAll(await GetAsync(daemon, "/metrics"));
            if (condition(samples))
            {
                return samples;
            }

            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException("The metrics never reached the expected state:\n" + string.Join('\n', samples.Where(s => s.Name.StartsWith("mailrelay_pacing_", StringComparison.Ordinal))));
            }

            await Task.Yield();
        }
    }
}
