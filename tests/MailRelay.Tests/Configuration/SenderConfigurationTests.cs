using MailRelay.Policy.Senders;

namespace MailRelay.Tests.Configuration;

public class SenderConfigurationTests
{
    [Fact]
    public void Defaults_leave_the_rules_off_bind_auth_senders_and_keep_headers()
    {
        var config = TestEnvironment.LoadValid();

        Assert.False(config.Senders.AccessEnabled);
        Assert.True(config.Senders.AllowedFrom.IsEmpty);
        Assert.True(config.Senders.ForbiddenFrom.IsEmpty);
        Assert.True(config.Senders.CheckFromHeader);
        Assert.True(config.Senders.ConstrainAuthSender);
        Assert.Empty(config.Senders.AuthSenders);
        Assert.False(config.OutboundHeaders.HideClient);
        Assert.Empty(config.OutboundHeaders.StripHeaders);
    }

    [Fact]
    public void Every_setting_is_read()
    {
        var config = TestEnvironment.LoadValid(
            ("MAIL_DOMAINS", "ours.example"),
            ("SENDER_ACCESS_ENABLED", "true"),
            ("SENDER_ALLOWED_FROM", "app@ours.example, partner.example ,/^noreply@/"),
            ("SENDER_FORBIDDEN_FROM", "[\"/^x{1,2}@/\"]"),
            ("SENDER_CHECK_FROM_HEADER", "false"),
            ("SMTP_AUTH_CONSTRAIN_SENDER", "false"),
            ("SMTP_AUTH_SENDERS", "{\"app\": [\"a@ours.example\", \"/^b@/\"], \"other\": \"c@ours.example,d@ours.example\"}"),
            ("OUTBOUND_HIDE_CLIENT", "true"),
            ("OUTBOUND_STRIP_HEADERS", "X-Originating-IP, X-Mailer"));

        Assert.True(config.Senders.AccessEnabled);
        Assert.Equal("app@ours.example,partner.example,/^noreply@/", config.Senders.AllowedFrom.ToString());
        Assert.Equal(SenderMatch.Match, config.Senders.ForbiddenFrom.Match("xx@elsewhere.example"));
        Assert.False(config.Senders.CheckFromHeader);
        Assert.False(config.Senders.ConstrainAuthSender);
        Assert.Equal(2, config.Senders.AuthSenders["app"].Patterns.Count);
        Assert.Equal(2, config.Senders.AuthSenders["other"].Patterns.Count);
        Assert.True(config.OutboundHeaders.HideClient);
        Assert.Equal(["X-Originating-IP", "X-Mailer"], config.OutboundHeaders.StripHeaders);
    }

    [Fact]
    public void A_bad_expression_stops_the_start_naming_the_variable_and_the_entry()
    {
        var result = TestEnvironment.Load(("SENDER_FORBIDDEN_FROM", "ok.example,/(unclosed/"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("SENDER_FORBIDDEN_FROM", error.Variable);
        Assert.Contains("'/(unclosed/' is not a valid regular expression", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_expression_for_one_user_names_the_user()
    {
        var result = TestEnvironment.Load(("SMTP_AUTH_SENDERS", "{\"app\": [\"/[/\"]}"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("SMTP_AUTH_SENDERS", error.Variable);
        Assert.Contains("user 'app'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_on_with_nothing_to_allow_would_refuse_everyone_and_are_refused()
    {
        var result = TestEnvironment.Load(("SENDER_ACCESS_ENABLED", "true"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("SENDER_ALLOWED_FROM", error.Variable);
    }

    [Fact]
    public void Lists_without_the_rules_on_give_a_warning()
    {
        var result = TestEnvironment.Load(("SENDER_ALLOWED_FROM", "ours.example"));

        Assert.True(result.IsValid);
        Assert.Contains(result.Warnings, w => w.Variable == "SENDER_ACCESS_ENABLED");
    }
}
