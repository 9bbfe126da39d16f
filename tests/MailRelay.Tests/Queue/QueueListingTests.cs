using MailRelay.Queue;
using Microsoft.Extensions.Time.Testing;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue;

public sealed class QueueListingTests : IDisposable
{
    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void An_empty_queue_says_so()
    {
        Assert.Equal("Mail queue is empty" + Environment.NewLine, List());
    }

    [Fact]
    public async Task Entries_are_listed_with_size_arrival_sender_recipients_and_a_total()
    {
        var time = new FakeTimeProvider(Start);
        await using var spool = CreateSpool(_data.Path, time);
        spool.Initialize();
        var first = await CommitAsync(spool, Envelope("app@example.com", "a@example.net", "b@example.org"), new byte[1500]);
        time.Advance(TimeSpan.FromMinutes(5));
        var second = await CommitAsync(spool, Envelope(string.Empty, "bounce@example.com"), new byte[700]);

        var lines = List().Split(Environment.NewLine);

        Assert.StartsWith("-Queue ID-", lines[0], StringComparison.Ordinal);
        Assert.Equal($"{first}     1500 2026-03-14 09:26:53  app@example.com", lines[1]);
        Assert.Equal("a@example.net", lines[2].Trim());
        Assert.Equal("b@example.org", lines[3].Trim());
        Assert.Equal(lines[1].IndexOf("app@", StringComparison.Ordinal), lines[2].IndexOf('a', StringComparison.Ordinal));
        Assert.Equal(string.Empty, lines[4]);
        Assert.Equal($"{second}      700 2026-03-14 09:31:53  MAILER-DAEMON", lines[5]);
        Assert.Equal("bounce@example.com", lines[6].Trim());
        Assert.Equal(string.Empty, lines[7]);
        Assert.Equal("-- 3 Kbytes in 2 Requests.", lines[8]);
        Assert.Equal(string.Empty, lines[9]);
    }

    [Fact]
    public async Task A_single_entry_is_one_request()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        await CommitAsync(spool, Envelope(), new byte[10]);

        var lines = List().TrimEnd().Split(Environment.NewLine);

        Assert.Equal("-- 1 Kbytes in 1 Request.", lines[^1]);
    }

    [Fact]
    public async Task Unreadable_files_are_listed_with_their_problem_and_not_counted()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        File.WriteAllText(Path.Combine(_data.Active, "0000000000000002.msg"), "{\"v\":7}\n");

        var lines = List().TrimEnd().Split(Environment.NewLine);

        Assert.Contains(lines, l => l.StartsWith("0000000000000002.msg", StringComparison.Ordinal)
            && l.EndsWith("(unreadable: unsupported format version 7)", StringComparison.Ordinal));
        Assert.Equal("-- 0 Kbytes in 0 Requests.", lines[^1]);
    }

    private string List()
    {
        using var output = new StringWriter();
        QueueListing.Write(new QueueReader(_data.Path).ReadCommitted(), output);
        return output.ToString();
    }
}
