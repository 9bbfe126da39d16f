using MailRelay.Smtp.Protocol;

namespace MailRelay.Smtp.Tests.Protocol;

public class MailboxParserTests
{
    [Theory]
    [InlineData("<user@example.org>", "user@example.org", "")]
    [InlineData(" <user@example.org> SIZE=10", "user@example.org", "SIZE=10")]
    [InlineData("<@a.example,@b.example:user@example.org>", "user@example.org", "")]
    [InlineData("<\"quoted > name\"@example.org>", "\"quoted > name\"@example.org", "")]
    [InlineData("<\"esc\\\"aped\"@example.org>", "\"esc\\\"aped\"@example.org", "")]
    [InlineData("<u@[192.0.2.1]>", "u@[192.0.2.1]", "")]
    [InlineData("<u@[IPv6:::1]>", "u@[IPv6:::1]", "")]
    [InlineData("<first.last+tag@sub.example.org>", "first.last+tag@sub.example.org", "")]
    public void Valid_paths_give_the_address_without_brackets(string text, string address, string rest)
    {
        var status = MailboxParser.TryParsePath(text, allowUtf8: false, allowNull: false, allowPostmaster: false, out var parsed, out var remainder);

        Assert.Equal((PathParseStatus.Ok, address, rest), (status, parsed, remainder));
    }

    [Theory]
    [InlineData("user@example.org")]
    [InlineData("<user@example.org")]
    [InlineData("<user>")]
    [InlineData("<.user@example.org>")]
    [InlineData("<user.@example.org>")]
    [InlineData("<us er@example.org>")]
    [InlineData("<user@example..org>")]
    [InlineData("<user@-example.org>")]
    [InlineData("<user@example-.org>")]
    [InlineData("<user@exa_mple.org>")]
    [InlineData("<user@[1.2.3.256]>")]
    [InlineData("<user@[IPv6:1.2.3.4]>")]
    [InlineData("<user@[tag:content]>")]
    [InlineData("<@a.example:user>")]
    [InlineData("<\"unterminated@example.org>")]
    [InlineData("<>")]
    [InlineData("  <user@example.org>")]
    public void Invalid_paths_are_syntax_errors(string text)
    {
        var status = MailboxParser.TryParsePath(text, allowUtf8: false, allowNull: false, allowPostmaster: false, out _, out _);

        Assert.Equal(PathParseStatus.Syntax, status);
    }

    [Fact]
    public void UTF8_addresses_need_SMTPUTF8()
    {
        Assert.Equal(PathParseStatus.NonAsciiWithoutSmtpUtf8, MailboxParser.TryParsePath("<δοκιμή@παράδειγμα.δοκιμή>", false, false, false, out _, out _));
        Assert.Equal(PathParseStatus.Ok, MailboxParser.TryParsePath("<δοκιμή@παράδειγμα.δοκιμή>", true, false, false, out var address, out _));
        Assert.Equal("δοκιμή@παράδειγμα.δοκιμή", address);
    }

    [Fact]
    public void Null_path_and_postmaster_only_where_allowed()
    {
        Assert.Equal(PathParseStatus.Ok, MailboxParser.TryParsePath("<>", false, allowNull: true, allowPostmaster: false, out var empty, out _));
        Assert.Equal(string.Empty, empty);
        Assert.Equal(PathParseStatus.Ok, MailboxParser.TryParsePath("<postmaster>", false, false, allowPostmaster: true, out var postmaster, out _));
        Assert.Equal("postmaster", postmaster);
        Assert.Equal(PathParseStatus.Syntax, MailboxParser.TryParsePath("<postmaster>", false, true, allowPostmaster: false, out _, out _));
    }

    [Fact]
    public void A_domain_over_255_octets_or_a_label_over_63_is_refused()
    {
        Assert.False(MailboxParser.IsValidDomainOrLiteral(new string('a', 64) + ".example", false));
        Assert.True(MailboxParser.IsValidDomainOrLiteral(new string('a', 63) + ".example", false));
        Assert.False(MailboxParser.IsValidDomainOrLiteral(string.Join('.', Enumerable.Repeat(new string('a', 60), 5)), false));
    }
}
