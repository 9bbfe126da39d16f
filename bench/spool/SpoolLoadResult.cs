using System.Globalization;

namespace MailRelay.Bench.Spool;

/// <summary>The figures of one run.</summary>
internal sealed record SpoolLoadResult(
    int MaxBatchSize,
    int Messages,
    TimeSpan Elapsed,
    long DirectorySyncs,
    double MedianMilliseconds,
    double P99Milliseconds)
{
    public string Format() => string.Create(CultureInfo.InvariantCulture,
        $"{(MaxBatchSize == 1 ? "unbatched" : "batched"),-10} {Messages / Elapsed.TotalSeconds,10:F0} {DirectorySyncs,9} {(double)Messages / DirectorySyncs,9:F1} {MedianMilliseconds,8:F2} {P99Milliseconds,8:F2}");

    public static string Header => "mode        commits/s dir-fsync msgs/sync  p50(ms)  p99(ms)";
}
