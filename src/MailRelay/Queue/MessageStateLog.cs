using System.Buffers;

namespace MailRelay.Queue;

/// <summary>
/// The append-only state log beside a queue file (<c>active/&lt;id&gt;.state</c>). An append is written
/// and fsync'd before it returns, so an outcome counts only once it is durable; the first append also
/// fsyncs the directory so the new file's name survives a crash. A crash mid-append leaves at most a
/// final line without its LF: readers ignore it and the next append cuts it off first.
/// </summary>
internal static class MessageStateLog
{
    /// <summary>Reads a state log; a missing file is an empty state (every recipient pending).</summary>
    /// <exception cref="QueueFormatException">A complete line is not a record this version understands.</exception>
    public static MessageState Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return MessageState.Empty;
        }

        var held = false;
        var recipients = new Dictionary<string, RecipientState>(StringComparer.Ordinal);
        var remaining = bytes.AsMemory();
        while (true)
        {
            var newline = remaining.Span.IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            var line = remaining[..newline];
            remaining = remaining[(newline + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }

            var record = StateRecordCodec.Decode(line);
            if (record.Recipient is { } state)
            {
                recipients[state.Recipient] = state;
            }
            else if (record.Held is { } hold)
            {
                held = hold;
            }
            else if (record.Notified is { } notified)
            {
                foreach (var recipient in notified)
                {
                    if (recipients.TryGetValue(recipient, out var failed))
                    {
                        recipients[recipient] = failed with { Notified = true };
                    }
                }
            }
        }

        return new MessageState(held, recipients);
    }

    /// <summary>Appends records durably (file fsync; directory fsync when the file is new).</summary>
    /// <exception cref="IOException">Not durable: the caller must not treat the records as written.</exception>
    public static void Append(string path, IReadOnlyList<StateRecord> records, IDiskSync diskSync)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * records.Count);
        foreach (var record in records)
        {
            StateRecordCodec.Encode(record, buffer);
        }

        var created = !File.Exists(path);
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read | FileShare.Delete,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        }

        using (var file = diskSync.Open(path, options))
        {
            CutTornTail(file, diskSync);
            file.Seek(0, SeekOrigin.End);
            diskSync.Write(file, buffer.WrittenSpan);
            diskSync.SyncFile(file);
        }

        if (created)
        {
            diskSync.SyncDirectory(Path.GetDirectoryName(path)!);
        }
    }

    /// <summary>Drops a final line that a crash left without its LF, so the next record starts a line.</summary>
    private static void CutTornTail(FileStream file, IDiskSync diskSync)
    {
        var length = file.Length;
        if (length == 0)
        {
            return;
        }

        Span<byte> last = stackalloc byte[1];
        file.Seek(length - 1, SeekOrigin.Begin);
        file.ReadExactly(last);
        if (last[0] == (byte)'\n')
        {
            return;
        }

        file.Seek(0, SeekOrigin.Begin);
        var content = new byte[length];
        file.ReadExactly(content);
        diskSync.Truncate(file, content.AsSpan().LastIndexOf((byte)'\n') + 1);
    }
}
