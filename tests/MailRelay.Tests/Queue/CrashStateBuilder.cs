namespace MailRelay.Tests.Queue;

/// <summary>
/// Builds every state of the disk a crash after a prefix of recorded operations may leave, under this model:
/// <list type="bullet">
/// <item>A file's content is its content at its last fsync, or any later point of its unsynced writes and
/// truncations, or the content as of an unsynced write cut halfway (a torn write); never fsync'd: empty.</item>
/// <item>A directory entry created, renamed or removed survives once its directory was fsync'd after the change.
/// Changes not covered by an fsync survive as any prefix of them in the order made (a journal commits in order);
/// a rename is atomic: the inode is under its old name or its new one.</item>
/// </list>
/// The queue directories themselves are assumed durable (the spool fsyncs their parents when it creates them).
/// </summary>
internal static class CrashStateBuilder
{
    /// <summary>The distinct states a crash right after <paramref name="operations"/> may leave.</summary>
    public static IReadOnlyList<CrashState> StatesAfter(IEnumerable<CrashPointOperation> operations)
    {
        var live = new Dictionary<string, Inode>(StringComparer.Ordinal);
        var changes = new List<EntryChange>();
        foreach (var operation in operations)
        {
            switch (operation.Kind)
            {
                case CrashPointKind.Create:
                    var created = new Inode();
                    live[operation.Path] = created;
                    changes.Add(new EntryChange(operation, created, [CrashPointOperation.DirectoryOf(operation.Path)]));
                    break;
                case CrashPointKind.Write or CrashPointKind.Truncate:
                    live[operation.Path].Changes.Add(operation);
                    break;
                case CrashPointKind.SyncFile:
                    var synced = live[operation.Path];
                    synced.Synced = synced.Changes.Count;
                    break;
                case CrashPointKind.Rename:
                    var moved = live[operation.Path];
                    live.Remove(operation.Path);
                    live[operation.Target!] = moved;
                    changes.Add(new EntryChange(operation, moved,
                        [CrashPointOperation.DirectoryOf(operation.Path), CrashPointOperation.DirectoryOf(operation.Target!)]));
                    break;
                case CrashPointKind.Delete:
                    live.Remove(operation.Path);
                    changes.Add(new EntryChange(operation, null, [CrashPointOperation.DirectoryOf(operation.Path)]));
                    break;
                case CrashPointKind.SyncDirectory:
                    foreach (var change in changes.Where(c => c.Directories.Contains(operation.Path, StringComparer.Ordinal)))
                    {
                        change.Forced = true;
                    }

                    break;
            }
        }

        var unforced = changes.Where(c => !c.Forced).ToList();
        var states = new Dictionary<string, CrashState>(StringComparer.Ordinal);
        for (var kept = 0; kept <= unforced.Count; kept++)
        {
            var applied = new HashSet<EntryChange>(changes.Where(c => c.Forced).Concat(unforced.Take(kept)));
            var names = Names(changes.Where(applied.Contains));
            foreach (var state in ContentVariants(names))
            {
                states.TryAdd(state.Key, state);
            }
        }

        return [.. states.Values];
    }

    private static Dictionary<string, Inode> Names(IEnumerable<EntryChange> applied)
    {
        var names = new Dictionary<string, Inode>(StringComparer.Ordinal);
        foreach (var change in applied)
        {
            switch (change.Operation.Kind)
            {
                case CrashPointKind.Create:
                    names[change.Operation.Path] = change.Inode!;
                    break;
                case CrashPointKind.Rename:
                    names.Remove(change.Operation.Path);
                    names[change.Operation.Target!] = change.Inode!;
                    break;
                case CrashPointKind.Delete:
                    names.Remove(change.Operation.Path);
                    break;
            }
        }

        return names;
    }

    private static IEnumerable<CrashState> ContentVariants(Dictionary<string, Inode> names)
    {
        Dictionary<string, byte[]> With(string? path, byte[]? content) =>
            names.ToDictionary(n => n.Key, n => n.Key == path ? content! : n.Value.ContentAfter(n.Value.Synced), StringComparer.Ordinal);

        yield return new CrashState(With(null, null));
        yield return new CrashState(names.ToDictionary(n => n.Key, n => n.Value.ContentAfter(n.Value.Changes.Count), StringComparer.Ordinal));
        foreach (var (path, inode) in names)
        {
            for (var upTo = inode.Synced; upTo < inode.Changes.Count; upTo++)
            {
                var next = inode.Changes[upTo];
                if (next.Kind == CrashPointKind.Write && next.Data.Length > 1)
                {
                    yield return new CrashState(With(path, inode.ContentAfter(upTo, next.Data.Length / 2)));
                }

                yield return new CrashState(With(path, inode.ContentAfter(upTo + 1)));
            }
        }
    }

    private sealed class Inode
    {
        public List<CrashPointOperation> Changes { get; } = [];

        public int Synced { get; set; }

        /// <summary>The content after the first <paramref name="count"/> changes, and <paramref name="tornBytes"/> of the next write.</summary>
        public byte[] ContentAfter(int count, int tornBytes = 0)
        {
            var content = new MemoryStream();
            for (var i = 0; i < count + (tornBytes > 0 ? 1 : 0); i++)
            {
                var change = Changes[i];
                if (change.Kind == CrashPointKind.Truncate)
                {
                    content.SetLength(change.Offset);
                    continue;
                }

                var data = i == count ? change.Data.AsSpan(0, tornBytes) : change.Data;
                if (content.Length < change.Offset)
                {
                    content.SetLength(change.Offset);
                }

                content.Position = change.Offset;
                content.Write(data);
            }

            return content.ToArray();
        }
    }

    private sealed class EntryChange(CrashPointOperation operation, Inode? inode, string[] directories)
    {
        public CrashPointOperation Operation { get; } = operation;

        public Inode? Inode { get; } = inode;

        public string[] Directories { get; } = directories;

        public bool Forced { get; set; }
    }
}
