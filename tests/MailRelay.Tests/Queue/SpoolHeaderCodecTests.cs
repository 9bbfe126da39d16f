using System.Text;
using MailRelay.Queue;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue;

/// <summary>Reading only the queue id of a header line, as the segment scan does for every record.</summary>
public sealed class SpoolHeaderCodecTests
{
    [Theory]
    [InlineData("app@example.com")]
    [InlineData("")]
    [InlineData("\"quoted id\"@example.com")]
    [InlineData("üser@exämple.com")]
    public void The_id_read_from_the_start_of_a_header_line_is_the_id_it_was_written_with(string sender)
    {
        var id = new QueueIdGenerator(new Random(7)).Next(Start);
        var envelope = Envelope(sender, "a@example.net", "b@example.org");
        var line = SpoolHeaderCodec.Encode(new SpoolHeader(SpoolHeaderCodec.CurrentVersion, id, Start, envelope));

        Assert.True(SpoolHeaderCodec.TryReadQueueId(line.AsSpan(0, line.Length - 1), out var read));
        Assert.Equal(id, read);
        Assert.Equal(id, SpoolHeaderCodec.Decode(line.AsMemory(0, line.Length - 1)).QueueId);
    }

    [Theory]
    [InlineData("{\"v\":2,\"id\":\"{0}\",\"arrival\":\"2026-01-01T00:00:00Z\"}")]
    [InlineData("{\"id\":\"{0}\",\"v\":1}")]
    [InlineData("{ \"v\":1,\"id\":\"{0}\"}")]
    [InlineData("{\"v\":1,\"id\":\"{0}x\"}")]
    [InlineData("{\"v\":1,\"id\":\"../../etc/passwd\"}")]
    [InlineData("{\"v\":1,\"id\":\"{0}")]
    [InlineData("{\"v\":1,\"id\":\"\\u0030{0}\"}")]
    public void A_line_that_does_not_start_with_the_version_and_a_well_formed_id_is_left_to_the_full_read(string template)
    {
        var id = new QueueIdGenerator(new Random(7)).Next(Start);
        var line = Encoding.UTF8.GetBytes(template.Replace("{0}", id, StringComparison.Ordinal));

        Assert.False(SpoolHeaderCodec.TryReadQueueId(line, out var read));
        Assert.Null(read);
    }
}
