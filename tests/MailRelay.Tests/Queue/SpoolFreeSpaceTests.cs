using MailRelay.Queue;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Queue;

/// <summary>The free-space cache asks the file system at most once a second, and again at once after a full disk.</summary>
public class SpoolFreeSpaceTests
{
    private readonly FakeTimeProvider _time = new();
    private long _free = 10_000;
    private int _probes;

    private SpoolFreeSpace Create(long floor) => new("/data", floor, _time, _ =>
    {
        _probes++;
        return _free;
    });

    [Fact]
    public void Many_questions_within_a_second_ask_the_file_system_once()
    {
        var space = Create(1000);

        for (var i = 0; i < 100; i++)
        {
            Assert.True(space.Admits(null));
        }

        _free = 500;
        Assert.Equal(10_000, space.FreeBytes);
        Assert.Equal(1, _probes);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(500, space.FreeBytes);
        Assert.Equal(2, _probes);
    }

    [Fact]
    public void A_full_disk_makes_the_next_question_ask_again_before_the_second_is_over()
    {
        var space = Create(1000);
        Assert.False(space.IsBelowFloor);

        _free = 0;
        space.Invalidate();

        Assert.True(space.IsBelowFloor);
        Assert.Equal(2, _probes);
    }

    [Fact]
    public void Below_the_floor_or_a_declared_size_that_would_go_below_it_is_not_admitted()
    {
        var space = Create(1000);

        Assert.True(space.Admits(9000));
        Assert.False(space.Admits(9001));
        _free = 999;
        space.Invalidate();
        Assert.False(space.Admits(null));
        Assert.True(space.IsBelowFloor);
    }

    [Fact]
    public void Without_a_floor_only_a_declared_size_larger_than_the_free_space_is_refused()
    {
        var space = Create(0);
        _free = 0;

        Assert.True(space.Admits(null));
        Assert.False(space.IsBelowFloor);
        Assert.False(space.Admits(1));
    }

    [Fact]
    public void Free_space_that_cannot_be_read_refuses_nothing()
    {
        var space = new SpoolFreeSpace("/data", 1000, _time, _ => throw new IOException("no such file system"));

        Assert.Equal(-1, space.FreeBytes);
        Assert.True(space.Admits(1_000_000));
        Assert.False(space.IsBelowFloor);
    }
}
