using MailRelay.Policy.Senders;

namespace MailRelay.Tests.Policy.Senders;

public class SenderListTests
{
    [Theory]
    [InlineData("app@example.com", "app@example.com", true)]
    [InlineData("app@example.com", "APP@Example.COM", true)]
    [InlineData("app@example.com", "other@example.com", false)]
    [InlineData("example.com", "anyone@example.com", true)]
    [InlineData("example.com", "anyone@sub.example.com", false)]
    [InlineData("example.com", "anyone@notexample.com", false)]
    [InlineData("/^noreply@/", "noreply@example.org", true)]
    [InlineData("/^noreply@/", "NoReply@example.org", true)]
    [InlineData("/^noreply@/", "reply@example.org", false)]
    [InlineData("<>", "", true)]
    [InlineData("<>", "a@example.com", false)]
    [InlineData("example.com", "", false)]
    public void Each_kind_of_entry_matches_as_documented(string entry, string sender, bool matches)
    {
        Assert.True(SenderList.TryParse(entry, out var list, out var error), error);

        Assert.Equal(matches ? SenderMatch.Match : SenderMatch.NoMatch, list.Match(sender));
    }

    [Fact]
    public void Comma_separated_entries_are_trimmed_and_blank_ones_skipped()
    {
        Assert.True(SenderList.TryParse(" a@one.example , two.example,, /^x@/ ", out var list, out var error), error);

        Assert.Equal(["a@one.example", "two.example", "/^x@/"], list.Patterns.Select(p => p.Text));
        Assert.Equal(SenderMatch.Match, list.Match("b@two.example"));
        Assert.Equal(SenderMatch.Match, list.Match("x@three.example"));
        Assert.Equal(SenderMatch.NoMatch, list.Match("b@one.example"));
    }

    [Fact]
    public void A_json_array_carries_an_expression_with_a_comma()
    {
        Assert.True(SenderList.TryParse("[\"/^a{1,3}@example\\\\.com$/\", \"other.example\"]", out var list, out var error), error);

        Assert.Equal(2, list.Patterns.Count);
        Assert.Equal(SenderMatch.Match, list.Match("aa@example.com"));
        Assert.Equal(SenderMatch.NoMatch, list.Match("aaaa@example.com"));
    }

    [Theory]
    [InlineData("/^noreply@(/", "'/^noreply@(/' is not a valid regular expression")]
    [InlineData("bad address@example.com", "'bad address@example.com' is not an address")]
    [InlineData("@example.com", "'@example.com' is not an address")]
    [InlineData("not_a_domain", "'not_a_domain' is not an address")]
    [InlineData("[\"a\", 1]", "is not a JSON array of strings")]
    public void A_bad_entry_is_named_in_the_error(string text, string expected)
    {
        Assert.False(SenderList.TryParse(text, out _, out var error));

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catastrophic_expression_times_out_instead_of_stalling()
    {
        Assert.True(SenderList.TryParse("/^(a|aa)+$/", out var list, out var error), error);

        Assert.Equal(SenderMatch.TimedOut, list.Match(new string('a', 60) + "!@example.com"));
    }
}
