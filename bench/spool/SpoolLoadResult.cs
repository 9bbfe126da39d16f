using System.Globalization;

namespace MailRelay.Bench.Spool;

/// <summary>The figures of one run: the process's CPU (user+sys) over the run is divided by the commits.</summary>
internal sealed record SpoolLoadResult(
    string Mode,
    int Messages,
    TimeSpan Elapsed,
    long Syncs,
    double MedianMilliseconds,
    double P99Milliseconds,
    TimeSpan Cpu)
{
    public string Format() => string.Create(CultureInfo.InvariantCulture,
        $"{Mode,-10} {Messages / Elapsed.TotalSeconds,10:F0} {Syncs,9} {(double)Messages / Syncs,9:F1} {MedianMilliseconds,8:F2} {P99Milliseconds,8:F2} {Cpu.TotalMilliseconds / Messages,10:F3}");

    public static string Header => "mode        commits/s    syncs msgs/sync  p50(ms)  p99(ms) cpu/msg(ms)";
}
