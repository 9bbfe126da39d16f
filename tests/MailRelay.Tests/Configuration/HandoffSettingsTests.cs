using MailRelay.Configuration;

namespace MailRelay.Tests.Configuration;

public class HandoffSettingsTests
{
    private static RelayConfiguration Load(params (string Name, string Value)[] variables)
    {
        var environment = variables.ToDictionary(v => v.Name, v => (string?)v.Value, StringComparer.Ordinal);
        var result = ConfigurationLoader.Load(environment, () => "mailrelay-3", Path.GetTempPath());
        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => e.ToString())));
        return result.Configuration;
    }

    [Fact]
    public void Without_handoff_service_no_handoff_is_sent_and_nobody_is_offered_xarrival()
    {
        var configuration = Load();

        Assert.False(configuration.Handoff.Enabled);
        Assert.Empty(configuration.Handoff.Peers.Networks);
        Assert.Equal(2525, configuration.Handoff.Port);
        Assert.Equal(TimeSpan.FromSeconds(60), configuration.Handoff.Timeout);
    }

    [Fact]
    public void The_handoff_variables_reach_the_settings_and_the_smtp_engine()
    {
        var configuration = Load(
            ("HANDOFF_SERVICE", "mailrelay-handoff.mail.svc"),
            ("HANDOFF_PORT", "2526"),
            ("HANDOFF_TIMEOUT", "90s"),
            ("HANDOFF_PEERS", "10.244.0.0/16"),
            ("HANDOFF_KUBERNETES_API", "http://127.0.0.1:6443/"));
        var options = new MailRelay.Smtp.Session.SmtpServerOptions();
        configuration.ApplyTo(options);

        Assert.Equal("mailrelay-handoff.mail.svc", configuration.Handoff.Service);
        Assert.Equal(2526, configuration.Handoff.Port);
        Assert.Equal(TimeSpan.FromSeconds(90), configuration.Handoff.Timeout);
        Assert.Equal(new Uri("http://127.0.0.1:6443/"), configuration.Handoff.KubernetesApi);
        Assert.True(options.ArrivalTimePeers.Contains(System.Net.IPAddress.Parse("10.244.3.7")));
        Assert.False(options.ArrivalTimePeers.Contains(System.Net.IPAddress.Parse("10.245.0.1")));
    }

    [Fact]
    public void Pod_name_defaults_to_the_host_name_and_may_be_given()
    {
        Assert.Equal("mailrelay-3", Load(("HANDOFF_SERVICE", "svc.mail.svc")).Handoff.PodName);
        Assert.Equal("relay-7", Load(("HANDOFF_SERVICE", "svc.mail.svc"), ("POD_NAME", "relay-7")).Handoff.PodName);
    }
}
