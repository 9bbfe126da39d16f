using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Rfc2136;

namespace MailRelay.Tests.DnsPublishing.Rfc2136;

public sealed class Rfc2136TxtStringsTests
{
    [Theory]
    [InlineData(0, new[] { 0 })]
    [InlineData(11, new[] { 11 })]
    [InlineData(255, new[] { 255 })]
    [InlineData(256, new[] { 255, 1 })]
    [InlineData(510, new[] { 255, 255 })]
    [InlineData(600, new[] { 255, 255, 90 })]
    public void Values_split_into_255_octet_strings_and_a_shorter_last_one(int length, int[] expected)
    {
        var value = new string('k', length);

        var strings = TxtStrings.Split("x.example.com", value, providerId: null);

        Assert.Equal(expected, strings.Select(s => s.Length));
        Assert.Equal(value, string.Concat(strings));
        Assert.Equal((value, (string?)null), TxtStrings.Join(strings));
    }

    [Fact]
    public void A_record_read_in_other_strings_is_written_back_in_them()
    {
        var (value, providerId) = TxtStrings.Join(["v=spf1 ", "-all"]);

        Assert.Equal("v=spf1 -all", value);
        Assert.Equal("strings=7,4", providerId);
        Assert.Equal(["v=spf1 ", "-all"], TxtStrings.Split("x.example.com", value, providerId));
    }

    [Fact]
    public void A_layout_that_does_not_fit_the_value_is_ignored()
    {
        Assert.Equal(["v=spf1 -all"], TxtStrings.Split("x.example.com", "v=spf1 -all", "strings=3,3"));
    }

    [Fact]
    public void Text_outside_ASCII_is_refused_instead_of_mangled()
    {
        var failure = Assert.Throws<DnsProviderException>(() => TxtStrings.Split("x.example.com", "café", null));

        Assert.Contains("x.example.com", failure.Message, StringComparison.Ordinal);
    }
}
