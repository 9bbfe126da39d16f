using MailRelay.Bounces;
using MailRelay.Queue;
using MailRelay.Tests.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Bounces;

public sealed class VerpReturnPathTests : IDisposable
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private readonly TemporaryDirectory _data = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 7, 0, 0, TimeSpan.Zero));

    public void Dispose() => _data.Dispose();

    [Theory]
    [InlineData("app@ours.example", true, "ours.example")]
    [InlineData("app@OURS.example", true, "ours.example")]
    [InlineData("app@also-ours.example", true, "also-ours.example")]
    [InlineData("app@elsewhere.example", true, "mail.ours.example")]
    [InlineData("app@ours.example", false, "mail.ours.example")]
    public void The_domain_is_the_senders_when_it_is_one_of_ours_else_the_host_name(string sender, bool useSenderDomain, string expected)
    {
        var address = ReturnPaths(useSenderDomain).ReturnPathFor(BounceAddressVerifierTests.Message(sender, "a@one.test"), "a@one.test");

        Assert.NotNull(address);
        Assert.EndsWith("@" + expected, address, StringComparison.Ordinal);
        Assert.StartsWith("bounce+", address, StringComparison.Ordinal);
    }

    [Fact]
    public void The_null_sender_keeps_the_null_sender_and_records_nothing()
    {
        var address = ReturnPaths(true).ReturnPathFor(BounceAddressVerifierTests.Message(string.Empty, "a@one.test"), "a@one.test");

        Assert.Null(address);
        Assert.False(Directory.Exists(Path.Combine(_data.Path, VerpRecipientMap.DirectoryName)));
    }

    [Fact]
    public void Each_recipient_gets_its_own_return_path()
    {
        var message = BounceAddressVerifierTests.Message("app@ours.example", "a@one.test", "b@two.test");
        var returnPaths = ReturnPaths(true);

        Assert.NotEqual(returnPaths.ReturnPathFor(message, "a@one.test"), returnPaths.ReturnPathFor(message, "b@two.test"));
    }

    [Fact]
    public void When_the_recipients_cannot_be_recorded_no_return_path_is_given()
    {
        File.WriteAllText(Path.Combine(_data.Path, VerpRecipientMap.DirectoryName), "a file where the directory belongs");

        Assert.ThrowsAny<IOException>(() =>
            ReturnPaths(true).ReturnPathFor(BounceAddressVerifierTests.Message("app@ours.example", "a@one.test"), "a@one.test"));
    }

    private VerpReturnPath ReturnPaths(bool useSenderDomain) =>
        new(Secret, "mail.ours.example", ["ours.example", "also-ours.example"], useSenderDomain, new VerpRecipientMap(_data.Path, TimeSpan.FromDays(7), new PosixDiskSync()), _time);
}
