using MailRelay.Inbound.Authentication;

namespace MailRelay.Tests.Inbound.Authentication;

/// <summary>The Authentication-Results field (RFC 8601): its shape, folding, and values from the message kept harmless.</summary>
public class AuthenticationResultsFieldTests
{
    [Fact]
    public void Results_follow_the_authserv_id_separated_by_semicolons_one_per_line()
    {
        var field = new AuthenticationResultsField("mx.relay.test")
            .Add("spf", "pass", null, ("smtp.mailfrom", "a@example.org"))
            .Add("dkim", "pass", null, ("header.d", "example.org"), ("header.s", "sel"))
            .Add("dmarc", "pass", "p=reject sp=reject dis=none", ("header.from", "example.org"))
            .ToString();

        Assert.Equal(
            "Authentication-Results: mx.relay.test;\r\n" +
            "\tspf=pass smtp.mailfrom=a@example.org;\r\n" +
            "\tdkim=pass header.d=example.org header.s=sel;\r\n" +
            "\tdmarc=pass (p=reject sp=reject dis=none) header.from=example.org",
            field);
    }

    [Fact]
    public void No_line_passes_78_characters()
    {
        var longDomain = string.Join('.', Enumerable.Repeat("abcdefghij", 5)) + ".example";
        var field = new AuthenticationResultsField("mx.relay.test")
            .Add("dkim", "permerror", "no key for signature", ("header.d", longDomain), ("header.s", "selector2026"), ("header.b", "AbCdEfGh"))
            .ToString();

        var lines = field.Split("\r\n");
        Assert.All(lines, line => Assert.True(line.Length <= 78, $"{line.Length}: {line}"));
        Assert.True(lines.Length >= 3);
        Assert.Equal(
            "Authentication-Results: mx.relay.test; dkim=permerror (no key for signature) header.d=" + longDomain + " header.s=selector2026 header.b=AbCdEfGh",
            string.Join(' ', lines.Select(l => l.TrimStart('\t'))));
    }

    [Fact]
    public void A_value_with_a_semicolon_or_space_cannot_add_a_result()
    {
        var field = new AuthenticationResultsField("mx.relay.test")
            .Add("dkim", "fail", null, ("header.d", "evil.test; dkim=pass"), ("header.s", "a b"), ("header.b", "ab/cd+ef"))
            .ToString();

        Assert.DoesNotContain("dkim=pass", field, StringComparison.Ordinal);
        Assert.DoesNotContain("header.d=", field, StringComparison.Ordinal);
        Assert.DoesNotContain("header.s=", field, StringComparison.Ordinal);
        Assert.Contains("header.b=\"ab/cd+ef\"", field, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_any_method_the_field_says_none()
    {
        Assert.Equal("Authentication-Results: mx.relay.test; none", new AuthenticationResultsField("mx.relay.test").ToString());
    }
}
