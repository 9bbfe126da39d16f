namespace MailRelay.Queue;

/// <summary>
/// Free space on the file system that holds the data directory, against the floor SPOOL_MIN_FREE_SPACE.
/// Sessions ask at every MAIL FROM, so the value is cached: the file system is asked (statvfs) at most once
/// per <see cref="RefreshInterval"/>, and again at the next question after a write ran out of space
/// (<see cref="Invalidate"/>), so a full disk is seen at once and a freed one within a second. Refusals for
/// lack of space are counted here, for metrics. Thread-safe.
/// </summary>
public sealed class SpoolFreeSpace
{
    /// <summary>Longest time a cached value is believed.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly Func<string, long> _probe;
    private readonly TimeProvider _time;
    private Sample? _sample;
    private long _refusedAtMail;
    private long _refusedAtData;

    public SpoolFreeSpace(string directory, long minimumFreeBytes, TimeProvider time)
        : this(directory, minimumFreeBytes, time, AvailableBytes)
    {
    }

    /// <param name="probe">Returns the bytes available to the daemon on the file system of the given directory.</param>
    internal SpoolFreeSpace(string directory, long minimumFreeBytes, TimeProvider time, Func<string, long> probe)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumFreeBytes);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(probe);
        Directory = directory;
        MinimumFreeBytes = minimumFreeBytes;
        _time = time;
        _probe = probe;
    }

    /// <summary>The data directory whose file system is watched.</summary>
    public string Directory { get; }

    /// <summary>SPOOL_MIN_FREE_SPACE in bytes; 0 = no floor.</summary>
    public long MinimumFreeBytes { get; }

    /// <summary>Bytes available, at most <see cref="RefreshInterval"/> old; -1 when the file system cannot be asked.</summary>
    public long FreeBytes
    {
        get
        {
            var sample = Volatile.Read(ref _sample);
            return sample is not null && !sample.Stale && _time.GetElapsedTime(sample.Taken) < RefreshInterval
                ? sample.FreeBytes
                : Refresh();
        }
    }

    /// <summary>Whether free space is known to be below the floor: no new mail is taken then.</summary>
    public bool IsBelowFloor => FreeBytes is var free && free >= 0 && free < MinimumFreeBytes;

    /// <summary>Messages refused at MAIL FROM for lack of space (below the floor, or a SIZE= that does not fit).</summary>
    public long RefusedAtMail => Interlocked.Read(ref _refusedAtMail);

    /// <summary>Messages refused at the end of their data because the disk filled up while they were written.</summary>
    public long RefusedAtData => Interlocked.Read(ref _refusedAtData);

    /// <summary>
    /// Whether a new message may start: free space is at or above the floor and, when the client declared a
    /// size (SIZE=), that many bytes fit without going below it. Unknown free space never refuses.
    /// </summary>
    public bool Admits(long? declaredSize)
    {
        var free = FreeBytes;
        if (free < 0)
        {
            return true;
        }

        var room = free - MinimumFreeBytes;
        return room >= 0 && (declaredSize is not { } size || size <= room);
    }

    /// <summary>Asks the file system now and caches the answer.</summary>
    public long Refresh()
    {
        long free;
        try
        {
            free = _probe(Directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            free = -1;
        }

        Volatile.Write(ref _sample, new Sample(free, _time.GetTimestamp()));
        return free;
    }

    /// <summary>A write ran out of space: the next question asks the file system again.</summary>
    public void Invalidate()
    {
        if (Volatile.Read(ref _sample) is { } sample)
        {
            sample.Stale = true;
        }
    }

    public void CountRefusedAtMail() => Interlocked.Increment(ref _refusedAtMail);

    public void CountRefusedAtData() => Interlocked.Increment(ref _refusedAtData);

    /// <summary>statvfs(3) f_bavail × f_bsize: what an unprivileged writer can still use.</summary>
    private static long AvailableBytes(string directory) => new DriveInfo(directory).AvailableFreeSpace;

    private sealed class Sample(long freeBytes, long taken)
    {
        private bool _stale;

        public long FreeBytes { get; } = freeBytes;

        public long Taken { get; } = taken;

        public bool Stale
        {
            get => Volatile.Read(ref _stale);
            set => Volatile.Write(ref _stale, value);
        }
    }
}
