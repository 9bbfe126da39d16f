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
    public void The_first_message_is_written_before_the_next_is_read_and_the_rest_in_blocks_rather_than_line_by_line()
    {
        var output = new CallCountingWriter();
        var ids = new List<string>();
        var generator = new QueueIdGenerator(new Random(5));
        IEnumerable<(QueueEntry, MessageState)> Messages()
        {
            for (var i = 0; i < 3000; i++)
            {
                if (i == 1)
                {
                    // A long queue starts printing at once: the first message is out before the second is read.
                    Assert.Contains(ids[0], output.Text, StringComparison.Ordinal);
                }

                var id = generator.Next(Start.AddSeconds(i));
                ids.Add(id);
                var header = new SpoolHeader(SpoolHeaderCodec.CurrentVersion, id, Start.AddSeconds(i), Envelope("app@example.com", "a@example.net"));
                yield return (QueueEntry.Of(header, id + ".msg", 0, 100), MessageState.Empty);
            }
        }

        QueueListing.Write(Messages(), [], output);

        var lines = output.Text.Split(Environment.NewLine);
        Assert.Equal(ids, lines.Where(l => l.Length > 16 && ids.Contains(l[..16])).Select(l => l[..16]));
        Assert.Equal("-- 293 Kbytes in 3000 Requests.", lines[^2]);
        // About 9,000 lines: one call for the first message, one per 32 KB block after it, and the closing lines.
        Assert.InRange(output.Calls, 2, 3 + (output.Text.Length / (32 * 1024)) + 2);
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

    /// <summary>Keeps what is written and counts the calls that hand text over.</summary>
    private sealed class CallCountingWriter : TextWriter
    {
        private readonly StringWriter _text = new(System.Globalization.CultureInfo.InvariantCulture);

        public int Calls { get; private set; }

        public string Text => _text.ToString();

        public override System.Text.Encoding Encoding => _text.Encoding;

        public override void Write(char value) => _text.Write(value);

        public override void Write(string? value)
        {
            Calls++;
            _text.Write(value);
        }

        public override void Write(System.Text.StringBuilder? value)
        {
            Calls++;
            _text.Write(value);
        }

        public override void WriteLine(string? value)
        {
            Calls++;
            _text.WriteLine(value);
        }

        public override void WriteLine()
        {
            Calls++;
            _text.WriteLine();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _text.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
