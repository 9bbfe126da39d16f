using MailRelay.Queue;
using MailRelay.Tests.Support;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue;

/// <summary>
/// Real I/O failures, each leaving nothing in the committed area. Disk full is a real ENOSPC from a
/// 256 KiB tmpfs mounted for the test (this needs root, as CI runs); a failed rename comes from a
/// committed directory replaced by a plain file. A failing fsync cannot be provoked on a healthy disk,
/// so that case goes through the injected <see cref="IDiskSync"/> (see <see cref="GroupCommitTests"/>).
/// </summary>
public sealed class SpoolFailureTests : IDisposable
{
    private const string Why = "this test needs root to mount a tmpfs";

    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_full_disk_is_reported_as_insufficient_storage_and_leaves_nothing_behind()
    {
        var mountPoint = Path.Combine(_data.Path, "tiny");
        Directory.CreateDirectory(mountPoint);
        RootCommand.Run(Why, "mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint);
        try
        {
            var dataDirectory = Path.Combine(mountPoint, "data");
            await using var spool = CreateSpool(dataDirectory);
            spool.Initialize();
            var chunk = new byte[8 * 1024];
            Array.Fill(chunk, (byte)'x');

            var failure = await Assert.ThrowsAsync<SpoolException>(async () =>
            {
                await using var writer = await spool.BeginAsync(Envelope());
                for (var i = 0; i < 128; i++)
                {
                    await writer.WriteAsync(chunk);
                }

                await writer.CommitAsync();
            });

            Assert.Equal(SpoolFailureReason.InsufficientStorage, failure.Reason);
            Assert.Empty(Directory.GetFiles(Path.Combine(dataDirectory, "queue", "incoming")));
            Assert.Empty(Directory.GetFiles(Path.Combine(dataDirectory, "queue", "active")));
            Assert.Equal(1, spool.Statistics.FailedMessages);

            // The failed message's space was given back: a normal message still fits.
            var id = await CommitAsync(spool, Envelope(), Message("after the disk filled"));
            Assert.Equal(id, Assert.Single(new QueueReader(dataDirectory).ReadCommitted().Entries).QueueId);
        }
        finally
        {
            RootCommand.Run(Why, "umount", mountPoint);
        }
    }

    [Fact]
    public async Task A_failed_move_into_the_committed_area_is_reported_and_the_file_removed()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        Directory.Delete(_data.Active);
        File.WriteAllText(_data.Active, "not a directory");

        var failure = await Assert.ThrowsAsync<SpoolException>(() => CommitAsync(spool, Envelope(), Message("lost")));

        Assert.Equal(SpoolFailureReason.CommitFailed, failure.Reason);
        Assert.Empty(_data.IncomingFiles());
        Assert.Empty(Directory.GetFiles(_data.Path, "*.msg", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_failed_directory_fsync_of_a_lone_message_refuses_it()
    {
        var sync = new RecordingDiskSync(_data.Path) { FailActiveDirectorySyncs = true };
        await using var spool = CreateSpool(_data.Path, diskSync: sync);
        spool.Initialize();

        var failure = await Assert.ThrowsAsync<SpoolException>(() => CommitAsync(spool, Envelope(), Message("unsure")));

        Assert.Equal(SpoolFailureReason.SyncFailed, failure.Reason);
        Assert.Empty(_data.ActiveFiles());
        Assert.Empty(_data.IncomingFiles());
        Assert.Equal(0, spool.Statistics.CommittedMessages);
    }

    [Fact]
    public async Task A_writer_that_failed_refuses_further_writes()
    {
        var mountPoint = Path.Combine(_data.Path, "tiny");
        Directory.CreateDirectory(mountPoint);
        RootCommand.Run(Why, "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mountPoint);
        try
        {
            await using var spool = CreateSpool(Path.Combine(mountPoint, "data"));
            spool.Initialize();
            await using var writer = await spool.BeginAsync(Envelope());
            var big = new byte[256 * 1024];

            await Assert.ThrowsAsync<SpoolException>(async () => await writer.WriteAsync(big));
            var again = await Assert.ThrowsAsync<SpoolException>(async () => await writer.WriteAsync(big));
            Assert.Equal(writer.QueueId, again.QueueId);
            await Assert.ThrowsAsync<SpoolException>(async () => await writer.CommitAsync());
        }
        finally
        {
            RootCommand.Run(Why, "umount", mountPoint);
        }
    }
}
