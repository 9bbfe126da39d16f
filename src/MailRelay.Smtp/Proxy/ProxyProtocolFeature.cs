using System.Net;

namespace MailRelay.Smtp.Proxy;

/// <summary>The record of one accepted PROXY header.</summary>
public sealed class ProxyProtocolFeature : IProxyProtocolFeature
{
    public ProxyProtocolFeature(EndPoint? proxyEndPoint, EndPoint? proxyLocalEndPoint, int version, bool isLocal, bool hasClientAddress)
    {
        ProxyEndPoint = proxyEndPoint;
        ProxyLocalEndPoint = proxyLocalEndPoint;
        Version = version;
        IsLocal = isLocal;
        HasClientAddress = hasClientAddress;
    }

    public EndPoint? ProxyEndPoint { get; }

    public EndPoint? ProxyLocalEndPoint { get; }

    public int Version { get; }

    public bool IsLocal { get; }

    public bool HasClientAddress { get; }
}
