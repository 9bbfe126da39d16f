using MailRelay.Configuration.Syntax;

namespace MailRelay.Tests.Configuration;

public class ValueSyntaxTests
{
    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData(" Yes ", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("No", false)]
    [InlineData("0", false)]
    public void Booleans_accept_the_documented_words(string text, bool expected)
    {
        Assert.True(BooleanSyntax.TryParse(text, out var value, out _));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("on")]
    [InlineData("2")]
    [InlineData("")]
    [InlineData("truee")]
    public void Other_words_are_not_booleans(string text)
    {
        Assert.False(BooleanSyntax.TryParse(text, out _, out var error));
        Assert.Contains("not a boolean", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500ms", 500L)]
    [InlineData("30s", 30_000L)]
    [InlineData("30", 30_000L)]
    [InlineData("5m", 300_000L)]
    [InlineData("1h", 3_600_000L)]
    [InlineData("5d", 432_000_000L)]
    [InlineData(" 0s ", 0L)]
    public void Durations_take_one_unit_and_bare_numbers_are_seconds(string text, long milliseconds)
    {
        Assert.True(DurationSyntax.TryParse(text, out var value, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("5M")]
    [InlineData("1h30m")]
    [InlineData("-5s")]
    [InlineData("1.5h")]
    [InlineData("m")]
    [InlineData("5 m")]
    [InlineData("3651d")]
    [InlineData("99999999999999s")]
    public void Malformed_or_absurd_durations_are_refused(string text)
    {
        Assert.False(DurationSyntax.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Positive_durations_refuse_zero()
    {
        Assert.False(DurationSyntax.TryParsePositive("0ms", out _, out var error));
        Assert.Contains("more than zero", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("26214400", 26_214_400L)]
    [InlineData("64k", 65_536L)]
    [InlineData("64KiB", 65_536L)]
    [InlineData("25M", 26_214_400L)]
    [InlineData("25mib", 26_214_400L)]
    [InlineData("2G", 2_147_483_648L)]
    [InlineData("0", 0L)]
    public void Sizes_are_bytes_with_optional_binary_units(string text, long expected)
    {
        Assert.True(SizeSyntax.TryParse(text, out var value, out _));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("25MB")]
    [InlineData("1KB")]
    [InlineData("25 M")]
    [InlineData("-1")]
    [InlineData("1.5M")]
    [InlineData("M")]
    [InlineData("9999999999999G")]
    public void Ambiguous_or_malformed_sizes_are_refused(string text)
    {
        Assert.False(SizeSyntax.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Lists_are_trimmed_and_skip_empty_entries()
    {
        Assert.Equal(new[] { "a", "b c", "d" }, ListSyntax.Split(" a ,, b c,d ,"));
        Assert.Empty(ListSyntax.Split("  "));
        Assert.Empty(ListSyntax.Split(null));
    }

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("a-1.example.co.uk", true)]
    [InlineData("3com.example", true)]
    [InlineData("mail-relay-0", true)]
    [InlineData("-a.example", false)]
    [InlineData("a-.example", false)]
    [InlineData("a..example", false)]
    [InlineData("under_score.example", false)]
    [InlineData("example.com.", false)]
    [InlineData("192.0.2.1", false)]
    [InlineData("ümlaut.example", false)]
    public void Domain_names_follow_the_preferred_name_syntax(string text, bool valid)
    {
        Assert.Equal(valid, DomainNameSyntax.TryParse(text, requireDot: false, out _, out _));
    }

    [Fact]
    public void Labels_are_at_most_63_characters()
    {
        Assert.True(DomainNameSyntax.IsValidLabel(new string('a', 63)));
        Assert.False(DomainNameSyntax.IsValidLabel(new string('a', 64)));
    }

    [Theory]
    [InlineData("1/20s", 1, 20_000L)]
    [InlineData("10/1m", 10, 60_000L)]
    public void Rates_are_a_count_per_duration(string text, int count, long milliseconds)
    {
        Assert.True(JsonTableSyntax.TryParseRate(text, out var parsedCount, out var interval));
        Assert.Equal(count, parsedCount);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), interval);
    }

    [Theory]
    [InlineData("0/1s")]
    [InlineData("1/0s")]
    [InlineData("1/")]
    [InlineData("/1s")]
    [InlineData("fast")]
    public void Malformed_rates_are_refused(string text)
    {
        Assert.False(JsonTableSyntax.TryParseRate(text, out _, out _));
    }
}
