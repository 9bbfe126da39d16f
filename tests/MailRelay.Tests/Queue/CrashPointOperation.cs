namespace MailRelay.Tests.Queue;

/// <summary>One step of a recorded workload. Paths are relative to the data directory, with '/' separators.</summary>
internal sealed record CrashPointOperation(CrashPointKind Kind, string Path)
{
    public string? Target { get; init; }

    public long Offset { get; init; }

    public byte[] Data { get; init; } = [];

    public CrashPointMarker? Marker { get; init; }

    /// <summary>The directory holding the entry this operation changes, for directory operations.</summary>
    public static string DirectoryOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? string.Empty : path[..slash];
    }

    public override string ToString() => Kind switch
    {
        CrashPointKind.Write => $"write {Path} @{Offset} +{Data.Length}",
        CrashPointKind.Truncate => $"truncate {Path} to {Offset}",
        CrashPointKind.Rename => $"rename {Path} -> {Target}",
        CrashPointKind.Marker => $"-- {Marker}",
        _ => $"{Kind.ToString().ToLowerInvariant()} {Path}",
    };
}
