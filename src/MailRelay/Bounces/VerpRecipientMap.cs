using System.Globalization;
using System.Text;
using MailRelay.Dkim;
using MailRelay.Queue;

namespace MailRelay.Bounces;

/// <summary>
/// The recipients of the messages that left with a VERP return path, kept in <c>DATA_DIR/bounces/YYYYMMDD/QUEUEID</c>
/// (one address a line, in envelope order) under the UTC day the return path was issued, so a DSN that arrives days
/// after its message left the queue still names its recipient. A message's file is written once, durably (fsync of
/// file and directory), before the first MAIL FROM that names it; retries on later days write it again under their
/// day. Bounded by time: a day's directory is deleted once every token issued that day is older than the retention
/// (BOUNCE_MAX_AGE, plus a day).
/// </summary>
internal sealed class VerpRecipientMap
{
    public const string DirectoryName = "bounces";
    private const string DayFormat = "yyyyMMdd";

    private readonly string _root;
    private readonly TimeSpan _retention;
    private readonly IDiskSync _diskSync;
    private readonly Lock _gate = new();
    private DateOnly _lastPruned = DateOnly.MinValue;

    public VerpRecipientMap(string dataDirectory, TimeSpan maxAge, IDiskSync diskSync)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(diskSync);
        _root = Path.Combine(dataDirectory, DirectoryName);
        _retention = maxAge + TimeSpan.FromDays(1);
        _diskSync = diskSync;
    }

    /// <summary>The directory the map lives in.</summary>
    public string Root => _root;

    /// <summary>
    /// Makes sure <paramref name="recipients"/> of <paramref name="queueId"/> are on disk under the day of
    /// <paramref name="issued"/>. Throws an I/O exception when they cannot be made durable: the return path must then
    /// not be used.
    /// </summary>
    public void Record(string queueId, IReadOnlyList<string> recipients, DateTimeOffset issued)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueId);
        ArgumentNullException.ThrowIfNull(recipients);
        var day = DateOnly.FromDateTime(issued.UtcDateTime);
        PruneOnNewDay(issued, day);
        var directory = DayDirectory(day);
        var path = Path.Combine(directory, queueId);
        if (File.Exists(path))
        {
            return;
        }

        if (!Directory.Exists(directory))
        {
            var created = !Directory.Exists(_root);
            Directory.CreateDirectory(directory);
            if (created)
            {
                _diskSync.SyncDirectory(Path.GetDirectoryName(_root)!);
            }

            _diskSync.SyncDirectory(_root);
        }

        var text = new StringBuilder();
        foreach (var recipient in recipients)
        {
            text.Append(recipient).Append('\n');
        }

        // Concurrent transactions of one message may both write: the same content, renamed over each other.
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(text.ToString()), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Recipient <paramref name="index"/> of <paramref name="queueId"/> as recorded on the day of <paramref name="issued"/>; null when unknown.</summary>
    public string? Find(string queueId, int index, DateTimeOffset issued)
    {
        var path = Path.Combine(DayDirectory(DateOnly.FromDateTime(issued.UtcDateTime)), queueId);
        try
        {
            var lines = File.ReadAllLines(path, Encoding.UTF8);
            return index >= 0 && index < lines.Length && lines[index].Length > 0 ? lines[index] : null;
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Deletes the days whose every token is older than the retention; returns how many.</summary>
    public int Prune(DateTimeOffset now)
    {
        if (!Directory.Exists(_root))
        {
            return 0;
        }

        var removed = 0;
        foreach (var directory in Directory.EnumerateDirectories(_root))
        {
            if (!DateOnly.TryParseExact(Path.GetFileName(directory), DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                continue;
            }

            // The last token of the day was issued just before the next midnight.
            var lastIssued = new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            if (now - lastIssued > _retention)
            {
                Directory.Delete(directory, recursive: true);
                removed++;
            }
        }

        return removed;
    }

    private void PruneOnNewDay(DateTimeOffset now, DateOnly day)
    {
        lock (_gate)
        {
            if (day <= _lastPruned)
            {
                return;
            }

            _lastPruned = day;
        }

        Prune(now);
    }

    private string DayDirectory(DateOnly day) => Path.Combine(_root, day.ToString(DayFormat, CultureInfo.InvariantCulture));
}
