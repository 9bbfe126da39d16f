using MailRelay.Bounces;
using MailRelay.Queue;
using MailRelay.Tests.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Bounces;

public sealed class BounceAddressVerifierTests : IDisposable
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 7, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(7);
    private readonly TemporaryDirectory _data = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _data.Dispose();

    [Fact]
    public void A_return_path_we_issued_verifies_to_its_queue_id_and_recipient()
    {
        var address = Issue(Message("app@ours.example", "a@one.test", "b@two.test"), "b@two.test");
        _time.Advance(TimeSpan.FromDays(3));

        var check = Verifier().Verify(address, _time.GetUtcNow());

        Assert.Equal(BounceAddressStatus.Valid, check.Status);
        Assert.Equal(QueueIdOf(0), check.QueueId);
        Assert.Equal("b@two.test", check.Recipient);
        Assert.Equal(Start, check.Issued);
    }

    [Fact]
    public void The_recipient_is_found_by_a_verifier_of_a_later_process()
    {
        var address = Issue(Message("app@ours.example", "a@one.test"), "a@one.test");

        // A new map and verifier over the same directory: nothing is held in memory only.
        var check = new BounceAddressVerifier(Secret, MaxAge, new VerpRecipientMap(_data.Path, MaxAge, new PosixDiskSync()))
            .Verify(address.ToUpperInvariant(), _time.GetUtcNow());

        Assert.Equal(BounceAddressStatus.Valid, check.Status);
        Assert.Equal("a@one.test", check.Recipient);
    }

    [Fact]
    public void A_return_path_older_than_the_max_age_is_expired()
    {
        var address = Issue(Message("app@ours.example", "a@one.test"), "a@one.test");
        _time.Advance(MaxAge);
        Assert.Equal(BounceAddressStatus.Valid, Verifier().Verify(address, _time.GetUtcNow()).Status);

        _time.Advance(TimeSpan.FromSeconds(1));

        var check = Verifier().Verify(address, _time.GetUtcNow());
        Assert.Equal(BounceAddressStatus.Expired, check.Status);
        Assert.Null(check.Recipient);
    }

    [Fact]
    public void A_return_path_issued_in_the_future_beyond_the_clock_skew_is_expired()
    {
        var address = Issue(Message("app@ours.example", "a@one.test"), "a@one.test");

        var check = Verifier().Verify(address, Start - BounceAddressVerifier.ClockSkew - TimeSpan.FromSeconds(1));

        Assert.Equal(BounceAddressStatus.Expired, check.Status);
    }

    [Fact]
    public void A_tampered_return_path_is_forged()
    {
        var address = Issue(Message("app@ours.example", "a@one.test", "b@two.test"), "a@one.test");

        // Pointing the token at the other recipient (index 0 → 1) without the secret.
        var indexEnd = VerpToken.Prefix.Length + 1 + 16 + 4;
        var tampered = address[..(indexEnd - 1)] + "1" + address[indexEnd..];

        Assert.Equal(BounceAddressStatus.Forged, Verifier().Verify(tampered, _time.GetUtcNow()).Status);
    }

    [Fact]
    public void A_return_path_under_another_secret_is_forged_and_without_a_secret_everything_is()
    {
        var address = Issue(Message("app@ours.example", "a@one.test"), "a@one.test");
        var map = new VerpRecipientMap(_data.Path, MaxAge, new PosixDiskSync());

        Assert.Equal(BounceAddressStatus.Forged, new BounceAddressVerifier("another secret, also thirty-two chars", MaxAge, map).Verify(address, Start).Status);
        Assert.Equal(BounceAddressStatus.Forged, new BounceAddressVerifier(null, MaxAge, map).Verify(address, Start).Status);
    }

    [Theory]
    [InlineData("postmaster@ours.example")]
    [InlineData("bounce+@ours.example")]
    [InlineData("bounce+not-a-token@ours.example")]
    public void Addresses_not_of_the_form_are_malformed(string address)
    {
        Assert.Equal(BounceAddressStatus.Malformed, Verifier().Verify(address, Start).Status);
    }

    [Theory]
    [InlineData("bounce+abc@ours.example", true)]
    [InlineData("<Bounce+ABC@ours.example>", true)]
    [InlineData("bounces@ours.example", false)]
    [InlineData("postmaster@ours.example", false)]
    public void IsBounceAddress_matches_the_prefix_whatever_its_case(string address, bool expected)
    {
        Assert.Equal(expected, Verifier().IsBounceAddress(address));
    }

    [Fact]
    public void Pruning_drops_the_days_past_the_retention_and_keeps_those_still_in_date()
    {
        var map = new VerpRecipientMap(_data.Path, MaxAge, new PosixDiskSync());
        map.Record(QueueIdOf(0), ["old@one.test"], Start);
        map.Record(QueueIdOf(1), ["new@one.test"], Start + TimeSpan.FromDays(2));

        // Everything issued on the first day is older than max age plus a day once the ninth day has begun.
        var ninthDay = new DateTimeOffset(2026, 12, 15, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(0, map.Prune(ninthDay - TimeSpan.FromSeconds(1)));
        Assert.Equal(1, map.Prune(ninthDay + TimeSpan.FromSeconds(1)));

        Assert.Null(map.Find(QueueIdOf(0), 0, Start));
        Assert.Equal("new@one.test", map.Find(QueueIdOf(1), 0, Start + TimeSpan.FromDays(2)));
    }

    [Fact]
    public void Issuing_on_a_new_day_prunes_the_old_ones()
    {
        var returnPaths = ReturnPaths(new VerpRecipientMap(_data.Path, MaxAge, new PosixDiskSync()));
        returnPaths.ReturnPathFor(Message("app@ours.example", "a@one.test"), "a@one.test");
        _time.Advance(TimeSpan.FromDays(10));

        returnPaths.ReturnPathFor(Message("app@ours.example", "b@one.test", 1), "b@one.test");

        var days = Directory.GetDirectories(Path.Combine(_data.Path, VerpRecipientMap.DirectoryName)).Select(Path.GetFileName);
        Assert.Equal(["20261216"], days);
    }

    private BounceAddressVerifier Verifier() =>
        new(Secret, MaxAge, new VerpRecipientMap(_data.Path, MaxAge, new PosixDiskSync()));

    private string Issue(QueueEntry message, string recipient) =>
        ReturnPaths(new VerpRecipientMap(_data.Path, MaxAge, new PosixDiskSync())).ReturnPathFor(message, recipient)!;

    private VerpReturnPath ReturnPaths(VerpRecipientMap map) =>
        new(Secret, "mail.ours.example", ["ours.example"], useSenderDomain: true, map, _time);

    internal static string QueueIdOf(int n) => "01JEZ3K8Q4M7NP" + n.ToString("00", System.Globalization.CultureInfo.InvariantCulture);

    internal static QueueEntry Message(string sender, string recipient, int n = 0) => Message(sender, [recipient], n);

    internal static QueueEntry Message(string sender, string first, string second) => Message(sender, [first, second], 0);

    private static QueueEntry Message(string sender, string[] recipients, int n) => new()
    {
        QueueId = QueueIdOf(n),
        ArrivalTime = Start,
        Size = 100,
        Envelope = new SpoolEnvelope { Sender = sender, Recipients = recipients },
        FormatVersion = 1,
        FilePath = "/nonexistent",
        ContentOffset = 0,
    };
}
