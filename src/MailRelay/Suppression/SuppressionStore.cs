using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MailRelay.Dkim;

namespace MailRelay.Suppression;

/// <summary>
/// The suppression list in <c>DATA_DIR/suppression</c>: one small file per recipient, named by a hash of the lower-cased
/// address, holding <c>reason since until address</c> on one line, written atomically and fsync'd. The directory is
/// the only state, so the daemon's RCPT check, <c>MailRelay suppress list</c> and <c>suppress remove</c> (another
/// process, while the daemon runs) always agree, and a restart keeps everything. Bounded: expired entries are deleted
/// (<see cref="Prune"/>, and when met), and no more than <see cref="MaxEntries"/> are kept.
/// </summary>
public sealed class SuppressionStore
{
    public const string DirectoryName = "suppression";

    /// <summary>The most entries kept; a suppression beyond it is not recorded (and logged by the caller).</summary>
    public const int MaxEntries = 100_000;

    private readonly string _directory;
    private readonly TimeProvider _time;

    public SuppressionStore(string dataDirectory, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(time);
        _directory = Path.Combine(dataDirectory, DirectoryName);
        _time = time;
    }

    /// <summary>
    /// Suppresses <paramref name="address"/> for <paramref name="duration"/> from now (a later expiry of an existing
    /// entry is kept). False when the store is full.
    /// </summary>
    public bool Add(string address, SuppressionReason reason, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        var now = _time.GetUtcNow();
        var until = now + duration;
        var path = PathOf(address);
        var existing = Read(path);
        if (existing is not null && existing.Until >= until && existing.Until > now)
        {
            return true;
        }

        if (existing is null)
        {
            if (!Directory.Exists(_directory))
            {
                Directory.CreateDirectory(_directory);
                new Queue.PosixDiskSync().SyncDirectory(Path.GetDirectoryName(_directory)!);
            }
            else if (Count() >= MaxEntries)
            {
                return false;
            }
        }

        var line = string.Create(CultureInfo.InvariantCulture, $"{reason} {now.ToUnixTimeSeconds()} {until.ToUnixTimeSeconds()} {address}\n");
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(line), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return true;
    }

    /// <summary>The entry refusing <paramref name="address"/> now, or null.</summary>
    public SuppressionEntry? Find(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var entry = Read(PathOf(address));
        return entry is not null && entry.Until > _time.GetUtcNow() ? entry : null;
    }

    /// <summary>Removes <paramref name="address"/>; false when it was not suppressed (or had expired).</summary>
    public bool Remove(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var live = Find(address) is not null;
        var path = PathOf(address);
        if (File.Exists(path))
        {
            File.Delete(path);
            new Queue.PosixDiskSync().SyncDirectory(_directory);
        }

        return live;
    }

    /// <summary>The entries in force now, by address.</summary>
    public IReadOnlyList<SuppressionEntry> List()
    {
        var now = _time.GetUtcNow();
        return [.. Files().Select(Read).OfType<SuppressionEntry>().Where(e => e.Until > now).OrderBy(e => e.Address, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Deletes the expired entries; returns how many.</summary>
    public int Prune()
    {
        var now = _time.GetUtcNow();
        var removed = 0;
        foreach (var path in Files())
        {
            var entry = Read(path);
            if (entry is null || entry.Until <= now)
            {
                File.Delete(path);
                removed++;
            }
        }

        return removed;
    }

    private int Count() => Files().Count();

    private IEnumerable<string> Files() =>
        Directory.Exists(_directory) ? Directory.EnumerateFiles(_directory).Where(p => !Path.GetFileName(p).StartsWith('.')) : [];

    private string PathOf(string address)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(address.Trim().ToLowerInvariant()));
        return Path.Combine(_directory, Convert.ToHexStringLower(hash.AsSpan(0, 16)));
    }

    private static SuppressionEntry? Read(string path)
    {
        // The common case at RCPT is no entry: a stat, not an exception.
        if (!File.Exists(path))
        {
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var fields = text.TrimEnd('\n').Split(' ', 4);
        return fields.Length == 4
            && Enum.TryParse<SuppressionReason>(fields[0], out var reason)
            && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var since)
            && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var until)
            ? new SuppressionEntry(fields[3], reason, DateTimeOffset.FromUnixTimeSeconds(since), DateTimeOffset.FromUnixTimeSeconds(until))
            : null;
    }
}
