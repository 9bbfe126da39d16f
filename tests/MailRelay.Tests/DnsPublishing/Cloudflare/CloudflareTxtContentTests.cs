using MailRelay.DnsPublishing.Cloudflare;

namespace MailRelay.Tests.DnsPublishing.Cloudflare;

public sealed class CloudflareTxtContentTests
{
    [Theory]
    [InlineData("v=spf1 -all", "\"v=spf1 -all\"")]
    [InlineData("", "\"\"")]
    [InlineData("a \"quoted\" \\ word", "\"a \\\"quoted\\\" \\\\ word\"")]
    public void Short_values_are_one_quoted_string_with_quotes_and_backslashes_escaped(string value, string content) =>
        Assert.Equal(content, CloudflareTxtContent.Format(value));

    [Fact]
    public void Strings_are_cut_at_255_octets_without_splitting_a_character()
    {
        var value = new string('a', 254) + "é" + new string('b', 10);

        var content = CloudflareTxtContent.Format(value);

        Assert.Equal($"\"{new string('a', 254)}\" \"é{new string('b', 10)}\"", content);
        Assert.Equal(value, CloudflareTxtContent.Join(content));
    }

    [Theory]
    [InlineData("\"abc\" \"def\"", "abcdef")]
    [InlineData("\"abc\"\t\"def\" ", "abcdef")]
    [InlineData("\"\\065\\066\"", "AB")]
    [InlineData("v=DMARC1; p=none", "v=DMARC1; p=none")]
    [InlineData("\"unterminated", "\"unterminated")]
    [InlineData("\"a\"b", "\"a\"b")]
    public void Content_is_joined_when_wholly_quoted_and_taken_as_it_is_otherwise(string content, string value) =>
        Assert.Equal(value, CloudflareTxtContent.Join(content));
}
