using System.Collections.Concurrent;
using System.Net;
using MailRelay.Smtp.Proxy;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>What the test connection handler saw, one entry per connection it served.</summary>
internal sealed class HandlerProbe
{
    private readonly ConcurrentQueue<(EndPoint? Remote, IProxyProtocolFeature? Proxy)> _seen = new();

    public int ConnectionsServed => _seen.Count;

    public IReadOnlyList<(EndPoint? Remote, IProxyProtocolFeature? Proxy)> Seen => [.. _seen];

    public void Record(EndPoint? remote, IProxyProtocolFeature? proxy) => _seen.Enqueue((remote, proxy));
}
