namespace MailRelay.Tests.Support;

/// <summary>
/// One request <see cref="FakeCloudflareApi"/> received, as sent: <see cref="Path"/> below <c>/client/v4</c>,
/// <see cref="Query"/> with its leading <c>?</c> (empty when none), the JSON body if any, and the Authorization header.
/// </summary>
internal sealed record FakeCloudflareRequest(string Method, string Path, string Query, string? Body, string? Authorization)
{
    /// <summary>A create, update or delete (anything but GET).</summary>
    public bool IsWrite => Method != "GET";

    public override string ToString() => $"{Method} {Path}{Query}";
}
