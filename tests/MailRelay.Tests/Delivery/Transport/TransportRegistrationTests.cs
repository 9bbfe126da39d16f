using MailRelay.Configuration;
using MailRelay.Delivery;
using MailRelay.Delivery.Transport;
using MailRelay.Queue;
using Microsoft.Extensions.DependencyInjection;

namespace MailRelay.Tests.Delivery.Transport;

public sealed class TransportRegistrationTests
{
    [Fact]
    public async Task The_registered_transport_is_one_shared_instance_built_from_the_configuration()
    {
        var environment = new Dictionary<string, string?>
        {
            ["MAIL_HOSTNAME"] = "relay.origin.test",
            ["RELAY_HOST"] = "smarthost.origin.test",
            ["RELAY_PORT"] = "2525",
            ["DELIVERY_ROUTES"] = "{\"routed.test\": \"127.0.0.1:2526\"}",
        };
        var configuration = ConfigurationLoader.Load(environment).Configuration!;
        var signer = new NullSigner();
        var services = new ServiceCollection().AddLogging().AddSingleton<IMessageSigner>(signer);

        await using var provider = services.AddSmtpDeliveryTransport(configuration).BuildServiceProvider();

        var transport = Assert.IsType<SmtpDeliveryTransport>(provider.GetRequiredService<IDeliveryTransport>());
        Assert.Same(transport, provider.GetRequiredService<SmtpDeliveryTransport>());
        var options = provider.GetRequiredService<SmtpTransportOptions>();
        Assert.Equal("relay.origin.test", options.HostName);
        Assert.Equal("smarthost.origin.test", options.RelayHost);
        Assert.Equal(2525, options.RelayPort);
        Assert.Equal(new DeliveryRoute("127.0.0.1", 2526), options.Routes["routed.test"]);
    }

    private sealed class NullSigner : IMessageSigner
    {
        public ValueTask<string?> CreateSignatureHeaderAsync(Stream message, QueueEntry entry, CancellationToken cancellationToken) =>
            ValueTask.FromResult<string?>(null);
    }
}
