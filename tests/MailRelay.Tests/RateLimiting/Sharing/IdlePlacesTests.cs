using MailRelay.RateLimiting.Sharing;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.RateLimiting.Sharing;

public sealed class IdlePlacesTests
{
    private static readonly string[] Gmail = ["p:gmail.com"];
    private static readonly string[] GmailAndGlobal = ["p:gmail.com", "g"];
    private static readonly string[] Yahoo = ["p:yahoo.com"];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_request_takes_over_the_places_of_the_connection_that_went_idle_last_in_its_own_pool()
    {
        var ledger = new IdlePlaces(_time);
        var first = new Places();
        var second = new Places();
        var other = new Places();
        Assert.NotNull(ledger.Park("gmail.com", Gmail, first, NoClose));
        var last = ledger.Park("gmail.com", Gmail, second, NoClose);
        ledger.Park("gmail.com|example.org", Gmail, other, NoClose);

        var adopted = ledger.TryAdopt("gmail.com");

        Assert.Same(last, adopted);
        Assert.Same(second, adopted!.Places);
        Assert.True(adopted.Adopted);
        Assert.Equal(2, ledger.Count);
        Assert.Null(ledger.TryAdopt("yahoo.com"));
    }

    [Fact]
    public void Closing_an_idle_connection_gives_its_places_back_once_but_not_those_a_request_took_over()
    {
        var ledger = new IdlePlaces(_time);
        var kept = new Places();
        var taken = new Places();
        var idle = ledger.Park("gmail.com", Gmail, kept, NoClose)!;
        var adopted = ledger.Park("gmail.com", Gmail, taken, NoClose)!;
        Assert.Same(adopted, ledger.TryAdopt("gmail.com"));

        idle.Dispose();
        idle.Dispose();
        adopted.Dispose();

        Assert.Equal(1, kept.Released);
        Assert.Equal(0, taken.Released);
        Assert.Equal(0, ledger.Count);
    }

    [Fact]
    public async Task A_waiter_learns_when_a_connection_of_its_pool_parks()
    {
        var ledger = new IdlePlaces(_time);
        var parked = ledger.NextParked("gmail.com");
        ledger.Park("yahoo.com", Yahoo, new Places(), NoClose);
        Assert.False(parked.IsCompleted);

        ledger.Park("gmail.com", Gmail, new Places(), NoClose);

        await parked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(ledger.TryAdopt("gmail.com"));
    }

    [Fact]
    public void When_another_replica_asks_for_a_place_the_longest_idle_connection_in_that_scope_closes_and_only_that_one()
    {
        var ledger = new IdlePlaces(_time);
        var closed = new List<string>();
        ledger.Park("yahoo.com", Yahoo, new Places(), () => Close(closed, "yahoo"));
        var longest = ledger.Park("gmail.com|example.org", GmailAndGlobal, new Places(), () => Close(closed, "example.org"))!;
        ledger.Park("gmail.com", Gmail, new Places(), () => Close(closed, "gmail"));

        ledger.Want("p:gmail.com");

        Assert.Equal(["example.org"], closed);
        longest.Dispose();

        // The others stay: a connection nobody waits for is still reused, and parking goes on.
        Assert.NotNull(ledger.TryAdopt("gmail.com"));
        Assert.NotNull(ledger.Park("gmail.com", Gmail, new Places(), NoClose));
    }

    [Fact]
    public void When_none_is_idle_the_next_connection_that_would_park_in_the_scope_closes_instead_once_and_only_for_a_while()
    {
        var ledger = new IdlePlaces(_time);
        ledger.Park("yahoo.com", Yahoo, new Places(), NoClose);

        ledger.Want("p:gmail.com");

        Assert.NotNull(ledger.Park("yahoo.com", Yahoo, new Places(), NoClose));
        Assert.Null(ledger.Park("gmail.com|example.org", GmailAndGlobal, new Places(), NoClose));
        Assert.NotNull(ledger.Park("gmail.com", Gmail, new Places(), NoClose));

        ledger.Want("g");
        _time.Advance(IdlePlaces.WantedFor);
        Assert.NotNull(ledger.Park("gmail.com|example.org", GmailAndGlobal, new Places(), NoClose));
    }

    [Fact]
    public void A_request_waiting_here_closes_the_longest_idle_connection_of_another_pool_in_its_scopes_only()
    {
        var ledger = new IdlePlaces(_time);
        var closed = new List<string>();
        ledger.Park("gmail.com", Gmail, new Places(), () => Close(closed, "gmail"));
        ledger.Park("yahoo.com", Yahoo, new Places(), () => Close(closed, "yahoo"));
        ledger.Park("gmail.com|example.org", GmailAndGlobal, new Places(), () => Close(closed, "example.org"));

        ledger.MakeRoom(Gmail, "gmail.com");

        Assert.Equal(["example.org"], closed);

        // The waiting pool's own idle connection stays: it is taken over as it is.
        Assert.NotNull(ledger.TryAdopt("gmail.com"));
    }

    private static Task NoClose() => Task.CompletedTask;

    private static Task Close(List<string> closed, string name)
    {
        closed.Add(name);
        return Task.CompletedTask;
    }

    private sealed class Places : IDisposable
    {
        public int Released { get; private set; }

        public void Dispose() => Released++;
    }
}
