using System.Text;
using MailRelay.Queue;
using static MailRelay.Tests.Queue.SpoolFixtures;

namespace MailRelay.Tests.Queue;

public sealed class VersionedJsonLineTests : IDisposable
{
    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Theory]
    [InlineData("\"1\"")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[1]")]
    [InlineData("1.5")]
    public void A_header_whose_version_is_not_a_whole_number_is_a_format_error(string version)
    {
        var line = $"{{\"v\":{version},\"id\":\"x\",\"arrival\":\"2026-01-01T00:00:00Z\",\"sender\":\"\",\"recipients\":[]}}";

        var error = Assert.Throws<QueueFormatException>(() => SpoolHeaderCodec.Decode(Encoding.UTF8.GetBytes(line)));

        Assert.Equal("header has no format version", error.Message);
    }

    [Fact]
    public void A_state_record_whose_version_is_a_string_is_a_format_error()
    {
        // The second "v" wins in System.Text.Json, as it would in a record with a doubled field.
        var line = "{\"v\":1,\"at\":\"2026-12-06T04:00:00+00:00\",\"v\":\"hold\",\"t\":\"hold\",\"held\":true}";

        var error = Assert.Throws<QueueFormatException>(() => StateRecordCodec.Decode(Encoding.UTF8.GetBytes(line)));

        Assert.Equal("state record has no format version", error.Message);
    }

    [Fact]
    public async Task A_queue_file_whose_version_is_a_string_is_reported_beside_the_readable_entries()
    {
        await using var spool = CreateSpool(_data.Path);
        spool.Initialize();
        var id = await CommitAsync(spool, Envelope(), Message("good"));
        File.WriteAllText(Path.Combine(_data.Active, "0000000000000001.msg"),
            "{\"v\":\"1\",\"id\":\"0000000000000001\",\"arrival\":\"2026-01-01T00:00:00Z\",\"sender\":\"\",\"recipients\":[\"a@b\"]}\nbody");

        var snapshot = new QueueReader(_data.Path).ReadCommitted();

        Assert.Equal(id, Assert.Single(snapshot.Entries).QueueId);
        var unreadable = Assert.Single(snapshot.Unreadable);
        Assert.Equal(("0000000000000001.msg", "header has no format version"), (unreadable.FileName, unreadable.Problem));
    }
}
