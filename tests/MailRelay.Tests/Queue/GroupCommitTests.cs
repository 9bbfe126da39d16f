using MailRelay.Queue;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue;

/// <summary>
/// Group commit, shown without timing: the first message's directory fsync is held until every other
/// message is queued behind it, so what the committer does with the queued ones is deterministic.
/// </summary>
public sealed class GroupCommitTests : IDisposable
{
    private const int Messages = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempDataDirectory _data = new();
    private readonly RecordingDiskSync _sync;
    private readonly TaskCompletionSource _othersQueued = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _gate = new();

    public GroupCommitTests()
    {
        _sync = new RecordingDiskSync(_data.Path);
    }

    public void Dispose()
    {
        _gate.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Messages_that_arrive_during_a_directory_fsync_share_the_next_one()
    {
        await using var spool = CreateSpool(_data.Path, diskSync: _sync, waitingChanged: ObserveQueue);
        spool.Initialize();

        var commits = await CommitWhileFirstSyncIsHeld(spool, release: () => { });
        var ids = await Task.WhenAll(commits);

        Assert.Equal(Messages, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(2, _sync.ActiveDirectorySyncs);
        Assert.Equal(2, spool.Statistics.DirectorySyncs);
        Assert.Equal(2, spool.Statistics.CommitBatches);
        Assert.Equal(Messages, spool.Statistics.CommittedMessages);
        Assert.Equal(Messages, _sync.FileSyncs);
        Assert.Equal(Messages, new QueueReader(_data.Path).ReadCommitted().Entries.Count);
    }

    [Fact]
    public async Task A_message_moved_while_a_directory_fsync_runs_waits_for_the_next_one()
    {
        await using var spool = CreateSpool(_data.Path, diskSync: _sync, waitingChanged: ObserveQueue);
        spool.Initialize();
        using var secondGate = new ManualResetEventSlim();

        var commits = await CommitWhileFirstSyncIsHeld(spool, release: () => { }, releaseFirstSync: false);

        // Every session has moved its own file into place; none is acknowledged by the fsync that was
        // already running when it moved, since that fsync may have missed its rename.
        Assert.Equal(Messages, _data.ActiveFiles().Length);
        Assert.Empty(_data.IncomingFiles());
        Assert.All(commits.Skip(1), commit => Assert.False(commit.IsCompleted));

        var secondHeld = _sync.HoldNextActiveSync(secondGate);
        _gate.Set();
        await commits[0].WaitAsync(Patience);
        await secondHeld.WaitAsync(Patience);
        Assert.All(commits.Skip(1), commit => Assert.False(commit.IsCompleted));

        secondGate.Set();
        var ids = await Task.WhenAll(commits).WaitAsync(Patience);
        Assert.Equal(Messages, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(2, _sync.ActiveDirectorySyncs);
    }

    [Fact]
    public async Task Without_batching_every_message_costs_its_own_directory_fsync()
    {
        await using var spool = CreateSpool(_data.Path, diskSync: _sync, maxBatchSize: 1, waitingChanged: ObserveQueue);
        spool.Initialize();

        var commits = await CommitWhileFirstSyncIsHeld(spool, release: () => { });
        await Task.WhenAll(commits);

        Assert.Equal(Messages, _sync.ActiveDirectorySyncs);
        Assert.Equal(Messages, spool.Statistics.CommitBatches);
        Assert.Equal(Messages, new QueueReader(_data.Path).ReadCommitted().Entries.Count);
    }

    [Fact]
    public async Task A_failed_directory_fsync_refuses_every_message_of_its_batch_and_removes_them()
    {
        await using var spool = CreateSpool(_data.Path, diskSync: _sync, waitingChanged: ObserveQueue);
        spool.Initialize();

        // The held first batch fsyncs normally; the batch gathered behind it meets a failing disk.
        var commits = await CommitWhileFirstSyncIsHeld(spool, release: () => _sync.FailActiveDirectorySyncs = true);
        var firstId = await commits[0];
        foreach (var later in commits.Skip(1))
        {
            var failure = await Assert.ThrowsAsync<SpoolException>(() => later);
            Assert.Equal(SpoolFailureReason.SyncFailed, failure.Reason);
            Assert.NotNull(failure.QueueId);
        }

        var survivor = Assert.Single(_data.ActiveFiles());
        Assert.Equal(firstId + ".msg", Path.GetFileName(survivor));
        Assert.Empty(_data.IncomingFiles());
        Assert.Equal(Messages - 1, spool.Statistics.FailedMessages);
        Assert.Equal(1, spool.Statistics.CommittedMessages);
    }

    private void ObserveQueue(int waiting)
    {
        if (waiting == Messages - 1)
        {
            _othersQueued.TrySetResult();
        }
    }

    /// <summary>
    /// Starts one commit and holds its directory fsync; starts the rest and waits until all of them are
    /// queued; then runs <paramref name="release"/> and, unless <paramref name="releaseFirstSync"/> is false,
    /// lets the fsync finish.
    /// </summary>
    private async Task<Task<string>[]> CommitWhileFirstSyncIsHeld(Spool spool, Action release, bool releaseFirstSync = true)
    {
        var held = _sync.HoldNextActiveSync(_gate);
        var first = CommitAsync(spool, Envelope(), Message("first"));
        await held.WaitAsync(Patience);

        var others = Enumerable.Range(1, Messages - 1)
            .Select(i => Task.Run(() => CommitAsync(spool, Envelope(), Message($"queued {i}"))))
            .ToArray();
        await _othersQueued.Task.WaitAsync(Patience);

        release();
        if (releaseFirstSync)
        {
            _gate.Set();
        }

        return [first, .. others];
    }
}
