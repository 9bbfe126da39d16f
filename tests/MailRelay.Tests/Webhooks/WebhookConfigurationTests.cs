using MailRelay.Configuration;
using MailRelay.Tests.Configuration;

namespace MailRelay.Tests.Webhooks;

public class WebhookConfigurationTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    private const string TwoEndpoints = """
        [{"name": "app", "url": "https://app.example.com/hooks/mail", "events": ["bounced", "complained"], "headers": {"Authorization": "Bearer T0ken-Not-To-Print"}},
         {"name": "audit-log", "url": "http://10.0.0.5:8080/events"}]
        """;

    [Fact]
    public void Endpoints_take_name_url_event_filter_and_headers_and_no_filter_means_every_type()
    {
        var webhooks = TestEnvironment.LoadValid(("WEBHOOK_ENDPOINTS", TwoEndpoints), ("WEBHOOK_SECRET", Secret)).Webhooks;

        Assert.True(webhooks.Enabled);
        Assert.Equal(Secret, webhooks.Secret);
        var app = webhooks.Endpoints[0];
        Assert.Equal("app", app.Name);
        Assert.Equal("webhook-app", app.ConsumerName);
        Assert.Equal(new Uri("https://app.example.com/hooks/mail"), app.Url);
        Assert.True(app.Takes("bounced"));
        Assert.False(app.Takes("delivered"));
        Assert.Equal([new KeyValuePair<string, string>("Authorization", "Bearer T0ken-Not-To-Print")], app.Headers);
        var audit = webhooks.Endpoints[1];
        Assert.Null(audit.Events);
        Assert.All(MailRelay.Events.RelayEventTypes.All, type => Assert.True(audit.Takes(type)));
        Assert.DoesNotContain("T0ken", webhooks.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, webhooks.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_are_no_endpoint_5s_10_in_flight_and_72h()
    {
        var webhooks = TestEnvironment.LoadValid().Webhooks;

        Assert.False(webhooks.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(5), webhooks.Timeout);
        Assert.Equal(10, webhooks.MaxInFlight);
        Assert.Equal(TimeSpan.FromHours(72), webhooks.MaxAge);
    }

    [Fact]
    public void The_timeout_takes_milliseconds_as_the_chart_gives_them()
    {
        var webhooks = TestEnvironment.LoadValid(("WEBHOOK_TIMEOUT", "2500ms"), ("WEBHOOK_MAX_IN_FLIGHT", "3"), ("WEBHOOK_MAX_AGE", "7d")).Webhooks;

        Assert.Equal(TimeSpan.FromMilliseconds(2500), webhooks.Timeout);
        Assert.Equal(3, webhooks.MaxInFlight);
        Assert.Equal(TimeSpan.FromDays(7), webhooks.MaxAge);
    }

    [Theory]
    [InlineData("""[{"name": "app", "url": "https://a.example/", "event": ["bounced"]}]""", "unknown key 'event'")]
    [InlineData("""[{"name": "app", "url": "https://a.example/", "events": ["bounce"]}]""", "is not an event type")]
    [InlineData("""[{"name": "app", "url": "https://a.example/", "events": []}]""", "non-empty array")]
    [InlineData("""[{"name": "App", "url": "https://a.example/"}]""", "name must be")]
    [InlineData("""[{"name": "app", "url": "ftp://a.example/"}]""", "http:// or https://")]
    [InlineData("""[{"name": "app", "url": "https://user:pw@a.example/"}]""", "user name or password")]
    [InlineData("""[{"name": "app", "url": "https://a.example/", "headers": {"X-MailRelay-Signature": "x"}}]""", "set by the relay itself")]
    [InlineData("""[{"name": "app", "url": "https://a.example/"}, {"name": "app", "url": "https://b.example/"}]""", "used twice")]
    [InlineData("""{"name": "app", "url": "https://a.example/"}""", "JSON array")]
    public void A_bad_endpoint_list_is_refused_saying_why(string endpoints, string reason)
    {
        var result = TestEnvironment.Load(("WEBHOOK_ENDPOINTS", endpoints), ("WEBHOOK_SECRET", Secret));

        var error = Assert.Single(result.Errors);
        Assert.Equal("WEBHOOK_ENDPOINTS", error.Variable);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_endpoint_needs_the_secret()
    {
        var result = TestEnvironment.Load(("WEBHOOK_ENDPOINTS", TwoEndpoints));

        var error = Assert.Single(result.Errors);
        Assert.Equal("WEBHOOK_SECRET", error.Variable);
        Assert.Contains("WEBHOOK_SECRET_FILE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_secret_file_is_read_without_its_final_line_break_and_only_one_source_is_allowed()
    {
        using var directory = new TemporaryDirectory();
        var file = directory.WriteFile("webhook-secret", Secret + "\n");

        var webhooks = TestEnvironment.LoadValid(("WEBHOOK_ENDPOINTS", TwoEndpoints), ("WEBHOOK_SECRET_FILE", file)).Webhooks;
        Assert.Equal(Secret, webhooks.Secret);

        var both = TestEnvironment.Load(("WEBHOOK_ENDPOINTS", TwoEndpoints), ("WEBHOOK_SECRET_FILE", file), ("WEBHOOK_SECRET", Secret));
        Assert.Equal("WEBHOOK_SECRET_FILE", Assert.Single(both.Errors).Variable);
    }

    [Fact]
    public void A_short_secret_is_refused()
    {
        var result = TestEnvironment.Load(("WEBHOOK_ENDPOINTS", TwoEndpoints), ("WEBHOOK_SECRET", "tooshort"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("WEBHOOK_SECRET", error.Variable);
        Assert.DoesNotContain("tooshort", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_check_prints_neither_the_secret_nor_header_values()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = ConfigCheck.Run(
            TestEnvironment.Of(("WEBHOOK_ENDPOINTS", TwoEndpoints), ("WEBHOOK_SECRET", Secret)), stdout, stderr, () => TestEnvironment.MachineHostName, TestEnvironment.WorkingDirectory);

        Assert.Equal(0, exitCode);
        var text = stdout.ToString();
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("T0ken", text, StringComparison.Ordinal);
        Assert.Contains("https://app.example.com/hooks/mail", text, StringComparison.Ordinal);
        Assert.Contains($"\"Authorization\":\"{ConfigurationReport.Redacted}\"", text, StringComparison.Ordinal);
    }
}
