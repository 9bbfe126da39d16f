using System.Text;
using MailRelay.Queue;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue;

public sealed class SpoolWriteTests : IDisposable
{
    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Commit_leaves_exactly_one_committed_file_with_the_envelope_and_the_content()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        var envelope = new SpoolEnvelope
        {
            Sender = "app+tag@example.com",
            Recipients = ["a@example.net", "b@exämple.net"],
            ClientAddress = "10.1.2.3",
            HeloName = "client.example.com",
            AuthenticatedUser = "app",
            SmtpUtf8 = true,
            Body = MessageBodyType.EightBitMime,
            EnvelopeId = "QQ314159",
            Return = DsnReturn.Headers,
        };
        var content = Message("one");

        string id;
        await using (var writer = await spool.BeginAsync(envelope))
        {
            await writer.WriteAsync(content);
            id = await writer.CommitAsync();
            Assert.Equal(writer.QueueId, id);
            Assert.Equal(Start, writer.ArrivalTime);
            Assert.Equal(content.Length, writer.ContentLength);
        }

        var file = Assert.Single(_data.ActiveFiles());
        Assert.Equal(id + ".msg", Path.GetFileName(file));
        Assert.Empty(_data.IncomingFiles());
        Assert.StartsWith("{\"v\":1,", Encoding.UTF8.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal);

        var entry = Assert.Single(new QueueReader(_data.Path).ReadCommitted().Entries);
        Assert.Equal(id, entry.QueueId);
        Assert.Equal(1, entry.FormatVersion);
        Assert.Equal(Start, entry.ArrivalTime);
        Assert.Equal(content.Length, entry.Size);
        Assert.Equal(content, ContentOf(entry));
        Assert.Equal(envelope.Sender, entry.Envelope.Sender);
        Assert.Equal(envelope.Recipients, entry.Envelope.Recipients);
        Assert.Equal(envelope.ClientAddress, entry.Envelope.ClientAddress);
        Assert.Equal(envelope.HeloName, entry.Envelope.HeloName);
        Assert.Equal(envelope.AuthenticatedUser, entry.Envelope.AuthenticatedUser);
        Assert.True(entry.Envelope.SmtpUtf8);
        Assert.Equal(MessageBodyType.EightBitMime, entry.Envelope.Body);
        Assert.Equal("QQ314159", entry.Envelope.EnvelopeId);
        Assert.Equal(DsnReturn.Headers, entry.Envelope.Return);
        Assert.Equal(1, spool.Statistics.CommittedMessages);
        Assert.Equal(content.Length, spool.Statistics.CommittedBytes);
    }

    [Fact]
    public async Task A_multi_megabyte_message_written_in_small_chunks_is_stored_byte_for_byte()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        var content = new byte[6 * 1024 * 1024 + 123];
        new Random(7).NextBytes(content);

        await using var writer = await spool.BeginAsync(Envelope());
        var offset = 0;
        var chunk = 1;
        while (offset < content.Length)
        {
            // Chunk sizes from 1 byte to just over the writer's buffer, so every buffering path is taken.
            var size = Math.Min(content.Length - offset, chunk);
            await writer.WriteAsync(content.AsMemory(offset, size));
            offset += size;
            chunk = chunk >= SpoolMessageWriter.BufferSize + 10 ? 1 : chunk * 3 + 1;
        }

        await writer.CommitAsync();

        var entry = Assert.Single(new QueueReader(_data.Path).ReadCommitted().Entries);
        Assert.Equal(content.Length, entry.Size);
        Assert.True(content.AsSpan().SequenceEqual(ContentOf(entry)));
    }

    [Fact]
    public async Task Abort_removes_the_incoming_file_and_commits_nothing()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        var writer = await spool.BeginAsync(Envelope());
        await writer.WriteAsync(Message("aborted"));
        Assert.Single(_data.IncomingFiles());

        await writer.AbortAsync();

        Assert.Empty(_data.IncomingFiles());
        Assert.Empty(_data.ActiveFiles());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.CommitAsync());
    }

    [Fact]
    public async Task Disposing_without_commit_removes_the_incoming_file()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        await using (var writer = await spool.BeginAsync(Envelope()))
        {
            await writer.WriteAsync(Message("dropped"));
            Assert.Single(_data.IncomingFiles());
        }

        Assert.Empty(_data.IncomingFiles());
        Assert.Empty(_data.ActiveFiles());
    }

    [Fact]
    public async Task Initialize_removes_stale_incoming_files_but_never_committed_ones()
    {
        string committedId;
        await using (var first = CreateSpool(_data.Path))
        {
            first.Initialize();
            committedId = await CommitAsync(first, Envelope(), Message("kept"));
            var unfinished = await first.BeginAsync(Envelope());
            await unfinished.WriteAsync(Message("never acknowledged"));
            // The process "dies" here: the writer is neither committed nor aborted.
        }

        File.WriteAllText(Path.Combine(_data.Incoming, "0000000000000000.msg"), "partial");
        Assert.Equal(2, _data.IncomingFiles().Length);

        await using var second = CreateSpool(_data.Path);
        second.Initialize();

        Assert.Empty(_data.IncomingFiles());
        var entry = Assert.Single(new QueueReader(_data.Path).ReadCommitted().Entries);
        Assert.Equal(committedId, entry.QueueId);
    }

    [Fact]
    public async Task Parallel_commits_get_distinct_well_formed_ids_and_all_are_committed()
    {
        await using var spool = new Spool(_data.Path, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Spool>.Instance);
        spool.Initialize();

        var ids = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            Task.Run(() => CommitAsync(spool, Envelope(), Message($"parallel {i}")))));

        Assert.Equal(64, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.True(QueueIdGenerator.IsWellFormed(id), id));
        var listed = new QueueReader(_data.Path).ReadCommitted().Entries.Select(e => e.QueueId);
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed);
        Assert.Empty(_data.IncomingFiles());
    }

    [Fact]
    public async Task Messages_started_later_sort_after_earlier_ones()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start);
        await using var spool = CreateSpool(_data.Path, time);
        spool.Initialize();

        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await CommitAsync(spool, Envelope(), Message($"ordered {i}")));
            time.Advance(TimeSpan.FromMilliseconds(i % 3 == 0 ? 0 : 1));
        }

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.Equal(ids, new QueueReader(_data.Path).ReadCommitted().Entries.Select(e => e.QueueId));
    }

    [Fact]
    public async Task The_spool_refuses_use_before_initialize_and_after_shutdown()
    {
        var spool = CreateSpool(_data.Path);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await spool.BeginAsync(Envelope()));
        spool.Initialize();
        await spool.DisposeAsync();

        var refused = await Assert.ThrowsAsync<SpoolException>(async () => await spool.BeginAsync(Envelope()));
        Assert.Equal(SpoolFailureReason.Unavailable, refused.Reason);
    }

    [Fact]
    public async Task An_envelope_without_recipients_is_refused()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        var envelope = new SpoolEnvelope { Sender = "a@example.com", Recipients = [] };

        await Assert.ThrowsAsync<ArgumentException>(async () => await spool.BeginAsync(envelope));
        Assert.Empty(_data.IncomingFiles());
    }
}
