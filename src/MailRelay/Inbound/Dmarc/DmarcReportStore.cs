using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailRelay.Queue;

namespace MailRelay.Inbound.Dmarc;

/// <summary>
/// DMARC_REPORTS_STORE: each parsed report as one JSON file in DMARC_REPORTS_STORE_PATH, written durably (temp
/// file, fsync, rename, directory fsync) before the report is acknowledged. The name is the period's end day, the
/// reporter and a hash of reporter and report id, so a report sent twice is one file.
/// </summary>
public sealed class DmarcReportStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly string _directory;

    public DmarcReportStore(string directory)
    {
        _directory = directory;
    }

    /// <summary>Writes the report; returns the file's path.</summary>
    public string Save(DmarcReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(_directory);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(report.OrgName + "\n" + report.ReportId)))[..16];
        var reporter = new string(report.OrgName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').Take(40).ToArray()).Trim('-');
        var name = string.Create(CultureInfo.InvariantCulture, $"{report.End.UtcDateTime:yyyyMMdd}-{(reporter.Length == 0 ? "unnamed" : reporter)}-{hash}.json");
        var path = Path.Combine(_directory, name);
        var temporary = Path.Combine(_directory, "." + name + ".tmp");
        var sync = new PosixDiskSync();
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(file, report, Json);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        sync.SyncDirectory(_directory);
        return path;
    }
}
