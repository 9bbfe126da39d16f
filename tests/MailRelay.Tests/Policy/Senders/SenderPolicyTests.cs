using MailRelay.Configuration;
using MailRelay.Policy.Senders;
using MailRelay.Tests.Configuration;

namespace MailRelay.Tests.Policy.Senders;

public class SenderPolicyTests
{
    private static readonly string[] OurDomains = ["ours.example"];

    [Theory]
    [InlineData("app@ours.example", SenderRefusal.None)]
    [InlineData("app@OURS.example", SenderRefusal.None)]
    [InlineData("app@sub.ours.example", SenderRefusal.SenderAccess)]
    [InlineData("app@elsewhere.example", SenderRefusal.SenderAccess)]
    [InlineData("", SenderRefusal.None)]
    public void Without_an_allowed_list_any_address_at_our_domains_passes(string sender, SenderRefusal expected)
    {
        var policy = Policy(Settings(access: true));

        Assert.Equal(expected, policy.Check(sender, authenticatedUser: null));
    }

    [Theory]
    [InlineData("app@partner.example", SenderRefusal.None)]
    [InlineData("noreply@anything.example", SenderRefusal.None)]
    [InlineData("app@ours.example", SenderRefusal.SenderAccess)]
    [InlineData("", SenderRefusal.None)]
    public void An_allowed_list_is_strict_and_does_not_imply_our_domains(string sender, SenderRefusal expected)
    {
        var policy = Policy(Settings(access: true, allowed: "partner.example,/^noreply@/"));

        Assert.Equal(expected, policy.Check(sender, authenticatedUser: null));
    }

    [Theory]
    [InlineData("billing@ours.example", SenderRefusal.None)]
    [InlineData("ceo@ours.example", SenderRefusal.SenderAccess)]
    [InlineData("root@ours.example", SenderRefusal.SenderAccess)]
    [InlineData("", SenderRefusal.SenderAccess)]
    public void The_forbidden_list_wins_and_can_forbid_the_null_sender(string sender, SenderRefusal expected)
    {
        var policy = Policy(Settings(access: true, allowed: "ours.example", forbidden: "ceo@ours.example,/^root@/,<>"));

        Assert.Equal(expected, policy.Check(sender, authenticatedUser: null));
    }

    [Fact]
    public void A_timed_out_forbidden_expression_refuses()
    {
        var policy = Policy(Settings(access: true, forbidden: "/^(a|aa)+$/"));

        Assert.Equal(SenderRefusal.SenderAccess, policy.Check(new string('a', 60) + "!@ours.example", authenticatedUser: null));
    }

    [Fact]
    public void With_the_rules_off_every_sender_passes()
    {
        var policy = Policy(Settings(access: false, allowed: "partner.example"));

        Assert.Equal(SenderRefusal.None, policy.Check("anyone@elsewhere.example", authenticatedUser: null));
        Assert.False(policy.ChecksFromHeader);
    }

    [Theory]
    [InlineData("app@ours.example", SenderRefusal.None)]
    [InlineData("APP@ours.example", SenderRefusal.None)]
    [InlineData("bounce@mail.ours.example", SenderRefusal.None)]
    [InlineData("other@ours.example", SenderRefusal.AuthBinding)]
    [InlineData("app@elsewhere.example", SenderRefusal.AuthBinding)]
    [InlineData("app@notours.example", SenderRefusal.AuthBinding)]
    [InlineData("", SenderRefusal.None)]
    public void An_address_user_is_bound_to_its_address_and_subdomains(string sender, SenderRefusal expected)
    {
        var policy = Policy(Settings(access: false));

        Assert.Equal(expected, policy.Check(sender, "app@ours.example"));
    }

    [Fact]
    public void Smtp_auth_senders_widens_an_address_user_and_binds_a_plain_user()
    {
        var policy = Policy(Settings(access: false, authSenders: "{\"app@ours.example\": [\"alerts@partner.example\"], \"billing\": \"billing@ours.example\"}"));

        Assert.Equal(SenderRefusal.None, policy.Check("app@ours.example", "app@ours.example"));
        Assert.Equal(SenderRefusal.None, policy.Check("alerts@partner.example", "app@ours.example"));
        Assert.Equal(SenderRefusal.AuthBinding, policy.Check("other@partner.example", "app@ours.example"));
        Assert.Equal(SenderRefusal.None, policy.Check("billing@ours.example", "billing"));
        Assert.Equal(SenderRefusal.AuthBinding, policy.Check("sales@ours.example", "billing"));
        Assert.Equal(SenderRefusal.None, policy.Check("anyone@anywhere.example", "legacy"));
    }

    [Fact]
    public void Binding_off_leaves_authenticated_users_free_and_access_still_applies_on_top()
    {
        var off = Policy(Settings(access: false, constrain: false));
        Assert.Equal(SenderRefusal.None, off.Check("someone@elsewhere.example", "app@ours.example"));

        var both = Policy(Settings(access: true, forbidden: "app@ours.example"));
        Assert.Equal(SenderRefusal.SenderAccess, both.Check("app@ours.example", "app@ours.example"));
        Assert.Equal(SenderRefusal.AuthBinding, both.Check("other@ours.example", "app@ours.example"));
    }

    [Theory]
    [InlineData("app@ours.example", new[] { "app@ours.example" }, true)]
    [InlineData("app@ours.example", new[] { "news@mail.ours.example" }, true)]
    [InlineData("app@ours.example", new[] { "ceo@OURS.EXAMPLE" }, true)]
    [InlineData("app@ours.example", new[] { "ceo@bank.example" }, false)]
    [InlineData("app@ours.example", new[] { "ceo@evilours.example" }, false)]
    [InlineData("app@mail.ours.example", new[] { "app@ours.example" }, false)]
    [InlineData("app@ours.example", new[] { "a@ours.example", "b@bank.example" }, false)]
    public void The_from_header_must_be_at_the_envelope_domain_or_below(string sender, string[] from, bool matches)
    {
        Assert.Equal(matches, SenderPolicy.FromHeaderMatches(sender, from));
    }

    private static SenderPolicy Policy(SenderSettings settings) => new(settings, OurDomains);

    private static SenderSettings Settings(bool access, string allowed = "", string forbidden = "", bool constrain = true, string authSenders = "{}")
    {
        Assert.True(SenderList.TryParse(allowed, out var allowedList, out _));
        Assert.True(SenderList.TryParse(forbidden, out var forbiddenList, out _));
        return new SenderSettings
        {
            AccessEnabled = access,
            AllowedFrom = allowedList,
            ForbiddenFrom = forbiddenList,
            CheckFromHeader = true,
            ConstrainAuthSender = constrain,
            AuthSenders = TestEnvironment.LoadValid(("SMTP_AUTH_SENDERS", authSenders)).Senders.AuthSenders,
        };
    }
}
