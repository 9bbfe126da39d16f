using System.Net;
using System.Net.Sockets;
using MailRelay.Tests.Dns;

namespace MailRelay.Tests.Integration;

/// <summary>
/// One fake provider reached the way production reaches a provider: a real dnsmasq serves <c>alpha.test</c> → MX
/// <c>mx1.fakeprovider.test</c> and <c>beta.test</c> → MX <c>mx2.fakeprovider.test</c>, and both MX hosts are the
/// same <see cref="FakeProviderMx"/> on two loopback addresses. The daemon connects to MX hosts on port 25 (it has no
/// MX port setting), so the hosts take a random pair of addresses in 127/8 where port 25 is free; binding it needs
/// root, as CI runs.
/// </summary>
internal sealed class FakeProviderNetwork : IAsyncDisposable
{
    public const string AlphaDomain = "alpha.test";
    public const string BetaDomain = "beta.test";
    public const string ProviderDomain = "fakeprovider.test";
    private const int SmtpPort = 25;

    private FakeProviderNetwork(FakeProviderMx provider, DnsmasqServer dns)
    {
        Provider = provider;
        Dns = dns;
    }

    public FakeProviderMx Provider { get; }

    public DnsmasqServer Dns { get; }

    public static async Task<FakeProviderNetwork> StartAsync(int messagesPerWindow, TimeSpan window, TimeSpan dataLatency)
    {
        FakeProviderMx? provider = null;
        IPAddress[] hosts = [];
        for (var attempt = 0; provider is null; attempt++)
        {
            var prefix = $"127.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(0, 256)}.";
            hosts = [IPAddress.Parse(prefix + "1"), IPAddress.Parse(prefix + "2")];
            try
            {
                provider = FakeProviderMx.Start(hosts, SmtpPort, messagesPerWindow, window, dataLatency, TimeProvider.System);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 10)
            {
                // Another test holds port 25 there: try another pair.
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AccessDenied)
            {
                throw new InvalidOperationException("Binding port 25 needs root: the daemon connects to MX hosts on port 25, as CI runs it.", ex);
            }
        }

        try
        {
            var dns = DnsmasqServer.Start(
            [
                $"--mx-host={AlphaDomain},mx1.{ProviderDomain},10",
                $"--mx-host={BetaDomain},mx2.{ProviderDomain},10",
                $"--host-record=mx1.{ProviderDomain},{hosts[0]}",
                $"--host-record=mx2.{ProviderDomain},{hosts[1]}",
            ]);
            return new FakeProviderNetwork(provider, dns);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Dns.Dispose();
        await Provider.DisposeAsync();
    }
}
