using System.Globalization;
using MailRelay.Queue;

namespace MailRelay.Inbound;

/// <summary>
/// Without INBOUND_FORWARD_TO, mail to the feedback addresses that is not a report is kept as one file per message
/// in DATA_DIR/inbound (written to a temp name, fsync'd, renamed, directory fsync'd before the 250). The directory is
/// bounded: at <see cref="MaxFiles"/> files or <see cref="MaxBytes"/> bytes further messages are refused with
/// <c>452 4.2.2</c>, so senders retry later while an operator reads and removes what is there.
/// </summary>
public sealed class InboundStore
{
    public const int MaxFiles = 10_000;

    public const long MaxBytes = 1L << 30;

    public InboundStore(string dataDirectory)
    {
        Directory = Path.Combine(dataDirectory, "inbound");
    }

    public string Directory { get; }

    /// <summary>Whether one more message of <paramref name="size"/> bytes fits under the bounds.</summary>
    public bool HasRoom(long size)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return true;
        }

        var files = 0;
        var bytes = size;
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles("*.eml"))
        {
            files++;
            bytes += file.Length;
            if (files >= MaxFiles || bytes > MaxBytes)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Keeps the message with its trace fields; returns the file's path once durable.</summary>
    public async Task<string> KeepAsync(InboundMessage message, string? authenticationResults, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        System.IO.Directory.CreateDirectory(Directory);
        var name = string.Create(CultureInfo.InvariantCulture, $"{message.ArrivalTime.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{message.Id}.eml");
        var path = Path.Combine(Directory, name);
        var temporary = Path.Combine(Directory, "." + name + ".tmp");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await file.WriteAsync(InboundCopy.TraceFields(message, authenticationResults), cancellationToken);
                await InboundCopy.CopyContentAsync(message, (block, ct) => file.WriteAsync(block, ct), cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: false);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        new PosixDiskSync().SyncDirectory(Directory);
        return path;
    }
}
