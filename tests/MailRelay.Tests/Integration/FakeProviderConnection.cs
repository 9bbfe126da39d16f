using System.Net;

namespace MailRelay.Tests.Integration;

/// <summary>What one connection to a <see cref="FakeProviderMx"/> did: messages accepted, and whether it ended on a 421.</summary>
internal sealed class FakeProviderConnection(int id, IPEndPoint localEndPoint)
{
    private int _accepted;
    private int _rateLimited;

    public int Id { get; } = id;

    /// <summary>The MX host address the relay connected to.</summary>
    public IPEndPoint LocalEndPoint { get; } = localEndPoint;

    public int Accepted => Volatile.Read(ref _accepted);

    public bool EndedRateLimited => Volatile.Read(ref _rateLimited) != 0;

    internal void CountAccepted() => Interlocked.Increment(ref _accepted);

    internal void MarkRateLimited() => Volatile.Write(ref _rateLimited, 1);
}
