using System.Text;
using MailRelay.Queue;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue;

public sealed class QueueReaderTests : IDisposable
{
    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void A_queue_that_was_never_created_reads_as_empty()
    {
        var snapshot = new QueueReader(Path.Combine(_data.Path, "nowhere")).ReadCommitted();

        Assert.Empty(snapshot.Entries);
        Assert.Empty(snapshot.Unreadable);
    }

    [Fact]
    public async Task Corrupt_foreign_and_newer_files_are_reported_beside_the_readable_entries()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        var id = await CommitAsync(spool, Envelope(), Message("good"));
        File.WriteAllText(Path.Combine(_data.Active, "README"), "hello");
        File.WriteAllBytes(Path.Combine(_data.Active, "0000000000000001.msg"), [0xFF, 0x00, (byte)'\n', 1, 2]);
        File.WriteAllText(Path.Combine(_data.Active, "0000000000000002.msg"), "{\"v\":2,\"id\":\"0000000000000002\"}\nbody");
        File.WriteAllText(Path.Combine(_data.Active, "0000000000000003.msg"), "no newline at all");
        File.WriteAllText(Path.Combine(_data.Active, "0000000000000004.msg"), "{\"v\":1,\"id\":\"0000000000000004\"}\n");
        File.WriteAllText(Path.Combine(_data.Active, "0000000000000005.msg"),
            "{\"v\":1,\"id\":\"0000000000000099\",\"arrival\":\"2026-01-01T00:00:00Z\",\"sender\":\"\",\"recipients\":[\"a@b\"]}\n");
        Directory.CreateDirectory(Path.Combine(_data.Active, "0000000000000006.msg"));

        var snapshot = new QueueReader(_data.Path).ReadCommitted();

        Assert.Equal(id, Assert.Single(snapshot.Entries).QueueId);
        var problems = snapshot.Unreadable.ToDictionary(u => u.FileName, u => u.Problem);
        Assert.Equal(7, problems.Count);
        Assert.Equal("not a queue file", problems["README"]);
        Assert.Equal("header is not JSON", problems["0000000000000001.msg"]);
        Assert.Equal("unsupported format version 2", problems["0000000000000002.msg"]);
        Assert.Equal("no header line", problems["0000000000000003.msg"]);
        Assert.Equal("header lacks \"recipients\"", problems["0000000000000004.msg"]);
        Assert.Contains("0000000000000099", problems["0000000000000005.msg"], StringComparison.Ordinal);
        Assert.StartsWith("cannot read", problems["0000000000000006.msg"], StringComparison.Ordinal);
    }

    [Fact]
    public void Oldest_first_hands_out_every_name_but_the_state_logs_in_ordinal_order_and_counts_the_queue_files()
    {
        Directory.CreateDirectory(_data.Active);
        var random = new Random(3);
        var names = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var id = string.Concat(Enumerable.Range(0, 16).Select(_ => "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[random.Next(32)]));
            names.Add(id + SpoolLayout.MessageExtension);
            File.WriteAllText(Path.Combine(_data.Active, id + SpoolLayout.MessageExtension), string.Empty);
            if (i % 3 == 0)
            {
                File.WriteAllText(Path.Combine(_data.Active, id + SpoolLayout.StateExtension), string.Empty);
            }
        }

        File.WriteAllText(Path.Combine(_data.Active, "README"), string.Empty);
        File.WriteAllText(Path.Combine(_data.Active, ".hidden"), string.Empty);
        names.AddRange(["README", ".hidden"]);

        var files = new QueueReader(_data.Path).ListOldestFirst();

        Assert.Equal(300, files.MessageCount);
        Assert.Equal(names.Order(StringComparer.Ordinal), files.Paths().Select(Path.GetFileName));
        Assert.Empty(files.Paths());
        Assert.Equal(0, new QueueReader(Path.Combine(_data.Path, "nowhere")).ListOldestFirst().MessageCount);
    }

    [Fact]
    public async Task Queue_list_prints_the_messages_oldest_first()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add(await CommitAsync(spool, Envelope(), Message($"message {i}")));
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(QueueCommands.Success, QueueCommands.RunList(_data.Path, stdout, stderr));

        var listed = stdout.ToString().Split(Environment.NewLine)
            .Where(l => l.Length > 16 && ids.Contains(l[..16]))
            .Select(l => l[..16]);
        Assert.Equal(ids, listed);
        Assert.Empty(stderr.ToString());
    }

    [Fact]
    public async Task A_file_that_vanishes_before_it_is_opened_is_skipped_without_a_problem()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        await CommitAsync(spool, Envelope(), Message("delivered meanwhile"));
        var listed = Assert.Single(new QueueReader(_data.Path).ReadCommitted().Entries).FilePath;
        Assert.NotNull(QueueReader.TryRead(listed, out _));

        // Delivered (or deleted) between the listing and the opening.
        File.Delete(listed);
        var entry = QueueReader.TryRead(listed, out var problem);

        Assert.Null(entry);
        Assert.Null(problem);
    }

    [Fact]
    public async Task Recipient_NOTIFY_and_ORCPT_survive_the_queue_file()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        var envelope = new SpoolEnvelope
        {
            Sender = "app@example.com",
            Recipients = ["a@example.net", "b@example.net", "c@example.net"],
            RecipientDsn = new Dictionary<string, RecipientDsnOptions>
            {
                ["a@example.net"] = new(DsnNotify.Success | DsnNotify.Delay, "rfc822;old+2Ba@example.net"),
                ["b@example.net"] = new(DsnNotify.Never, null),
            },
        };
        await CommitAsync(spool, envelope, Message("dsn options"));

        var read = Assert.Single(new QueueReader(_data.Path).ReadCommitted().Entries).Envelope;

        Assert.Equal(new RecipientDsnOptions(DsnNotify.Success | DsnNotify.Delay, "rfc822;old+2Ba@example.net"), read.DsnOptionsOf("a@example.net"));
        Assert.Equal(new RecipientDsnOptions(DsnNotify.Never, null), read.DsnOptionsOf("b@example.net"));
        Assert.Equal(new RecipientDsnOptions(DsnNotify.Unspecified, null), read.DsnOptionsOf("c@example.net"));
        Assert.False(read.DsnOptionsOf("b@example.net").WantsFailure);
        Assert.True(read.DsnOptionsOf("c@example.net").WantsFailure);
    }

    [Fact]
    public async Task Fields_added_to_a_version_1_header_are_ignored()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        var id = await CommitAsync(spool, Envelope(), Message("extended"));
        var path = Path.Combine(_data.Active, id + ".msg");
        var text = File.ReadAllText(path);
        File.WriteAllText(path, "{\"v\":1,\"later\":{\"x\":[1,2]}," + text[7..]);

        var entry = Assert.Single(new QueueReader(_data.Path).ReadCommitted().Entries);

        Assert.Equal(id, entry.QueueId);
        Assert.Equal(Message("extended"), ContentOf(entry));
    }

    [Fact]
    public async Task Line_breaks_inside_envelope_values_cannot_end_the_header_early()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        var envelope = new SpoolEnvelope
        {
            Sender = "odd\nsender@example.com",
            Recipients = ["user@example.net"],
            HeloName = "helo\r\nv:2",
        };
        await CommitAsync(spool, envelope, Message("escaped"));

        var entry = Assert.Single(new QueueReader(_data.Path).ReadCommitted().Entries);

        Assert.Equal(envelope.Sender, entry.Envelope.Sender);
        Assert.Equal(envelope.HeloName, entry.Envelope.HeloName);
        Assert.StartsWith("From: app@example.com", Encoding.ASCII.GetString(ContentOf(entry)), StringComparison.Ordinal);
    }
}
