using MailRelay.Queue;

namespace MailRelay.Tests.Queue;

public sealed class RemovalCommitTests : IDisposable
{
    private const int Messages = 10;
    private readonly TempDataDirectory _data = new();
    private readonly RecordingDiskSync _sync;

    public RemovalCommitTests()
    {
        _sync = new RecordingDiskSync(_data.Path);
        Directory.CreateDirectory(_data.Active);
    }

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Removals_waiting_together_share_one_directory_fsync_and_complete_only_after_it()
    {
        await using var committer = new RemovalCommitter(_data.Path, _sync);
        committer.Start();
        using var release = new ManualResetEventSlim();
        var first = await RemoveWhileItsFsyncIsHeldAsync(committer, release);

        var rest = Enumerable.Range(0, Messages).Select(i => committer.RemoveAsync(CreateMessage($"m{i}"))).ToList();
        Assert.False(first.IsCompleted);
        Assert.All(rest, r => Assert.False(r.IsCompleted));
        release.Set();
        await Task.WhenAll([first, .. rest]).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(_data.ActiveFiles());
        Assert.Equal(2, _sync.ActiveDirectorySyncs);
    }

    [Fact]
    public async Task A_removal_unlinks_at_once_and_waits_for_a_directory_fsync_that_began_after_it()
    {
        await using var committer = new RemovalCommitter(_data.Path, _sync);
        committer.Start();
        using var release = new ManualResetEventSlim();
        var first = await RemoveWhileItsFsyncIsHeldAsync(committer, release);

        var second = committer.RemoveAsync(CreateMessage("second"));

        // Unlinked while the first fsync is still running, so that fsync cannot be the one that covers it.
        Assert.Empty(_data.ActiveFiles());
        Assert.False(second.IsCompleted);
        release.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        await second.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, _sync.ActiveDirectorySyncs);
    }

    [Fact]
    public async Task A_failed_directory_fsync_fails_every_removal_of_its_batch()
    {
        await using var committer = new RemovalCommitter(_data.Path, _sync);
        committer.Start();
        _sync.FailActiveDirectorySyncs = true;

        var removals = Enumerable.Range(0, 3).Select(i => committer.RemoveAsync(CreateMessage($"m{i}"))).ToList();

        foreach (var removal in removals)
        {
            await Assert.ThrowsAsync<IOException>(() => removal.WaitAsync(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task A_removal_after_shutdown_is_refused_and_leaves_the_files()
    {
        var committer = new RemovalCommitter(_data.Path, _sync);
        committer.Start();
        await committer.DisposeAsync();

        await Assert.ThrowsAsync<IOException>(() => committer.RemoveAsync(CreateMessage("late")));
        Assert.Equal(2, _data.ActiveFiles().Length);
    }

    /// <summary>Removes a message named "first" and returns once its directory fsync has begun and is held.</summary>
    private async Task<Task> RemoveWhileItsFsyncIsHeldAsync(RemovalCommitter committer, ManualResetEventSlim release)
    {
        var held = _sync.HoldNextActiveSync(release);
        var first = committer.RemoveAsync(CreateMessage("first"));
        await held.WaitAsync(TimeSpan.FromSeconds(30));
        return first;
    }

    private string CreateMessage(string queueId)
    {
        File.WriteAllText(Path.Combine(_data.Active, queueId + SpoolLayout.MessageExtension), "message");
        File.WriteAllText(Path.Combine(_data.Active, queueId + SpoolLayout.StateExtension), "state");
        return queueId;
    }
}
