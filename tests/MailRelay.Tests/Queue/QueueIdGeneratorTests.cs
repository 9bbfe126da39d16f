using MailRelay.Queue;

namespace MailRelay.Tests.Queue;

public sealed class QueueIdGeneratorTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 14, 9, 26, 53, TimeSpan.Zero);

    [Fact]
    public void Ids_are_short_file_name_safe_and_ordered_by_time()
    {
        var generator = new QueueIdGenerator(new Random(3));
        var ids = new List<string>();
        var time = Start;
        for (var i = 0; i < 1000; i++)
        {
            // Four ids per millisecond, with steps from 1 ms to 6 seconds between groups.
            ids.Add(generator.Next(time));
            if (i % 4 == 3)
            {
                time = time.AddMilliseconds(1 + (i % 7) * 1000);
            }
        }

        Assert.All(ids, id =>
        {
            Assert.Equal(16, id.Length);
            Assert.True(QueueIdGenerator.IsWellFormed(id), id);
            Assert.Equal(id, Path.GetFileName(id));
        });
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void A_clock_that_goes_back_still_yields_increasing_ids()
    {
        var generator = new QueueIdGenerator(new Random(5));
        var later = generator.Next(Start.AddSeconds(10));
        var earlier = generator.Next(Start);

        Assert.True(string.CompareOrdinal(earlier, later) > 0);
    }

    [Fact]
    public void The_time_prefix_orders_ids_of_different_generators()
    {
        var a = new QueueIdGenerator(new Random(1)).Next(Start);
        var b = new QueueIdGenerator(new Random(2)).Next(Start.AddMilliseconds(1));

        Assert.True(string.CompareOrdinal(a, b) < 0);
        Assert.NotEqual(a[9..], b[9..]);
    }

    [Fact]
    public async Task Concurrent_callers_get_distinct_increasing_ids()
    {
        var generator = new QueueIdGenerator(new Random(9));
        var perTask = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 2000).Select(_ => generator.Next(Start)).ToList())));

        Assert.All(perTask, ids => Assert.Equal(ids, ids.Order(StringComparer.Ordinal)));
        Assert.Equal(16000, perTask.SelectMany(ids => ids).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("0123456789ABCDEF", true)]
    [InlineData("0123456789ABCDE", false)]
    [InlineData("0123456789ABCDEI", false)]
    [InlineData("0123456789abcdef", false)]
    [InlineData("../../etc/passwd", false)]
    public void Well_formed_ids_are_recognised(string candidate, bool expected)
    {
        Assert.Equal(expected, QueueIdGenerator.IsWellFormed(candidate));
    }
}
