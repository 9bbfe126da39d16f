using System.Collections.Concurrent;
using System.Net;
using MailRelay.Smtp.Proxy;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>What the test connection handler saw, one entry per connection it served.</summary>
internal sealed class HandlerProbe
{
    private readonly ConcurrentQueue<(EndPoint? Remote, IProxyProtocolFeature? Proxy)> _seen = new();
    private readonly ConcurrentQueue<EndPoint?> _endPointFeatureRemotes = new();

    public int ConnectionsServed => _seen.Count;

    public IReadOnlyList<(EndPoint? Remote, IProxyProtocolFeature? Proxy)> Seen => [.. _seen];

    /// <summary>The remote endpoint as Kestrel's endpoint feature reported it, for code that reads features.</summary>
    public IReadOnlyList<EndPoint?> EndPointFeatureRemotes => [.. _endPointFeatureRemotes];

    public void Record(EndPoint? remote, IProxyProtocolFeature? proxy, EndPoint? endPointFeatureRemote)
    {
        _endPointFeatureRemotes.Enqueue(endPointFeatureRemote);
        _seen.Enqueue((remote, proxy));
    }
}
