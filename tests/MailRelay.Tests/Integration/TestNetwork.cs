namespace MailRelay.Tests.Integration;

/// <summary>
/// Keeps daemons under test on loopback: every domain the tests send to is routed to a loopback port where
/// nothing listens (so accepted mail stays queued, deferred), and DNS goes to a loopback port that never
/// answers, so no lookup ever leaves the machine.
/// </summary>
internal static class TestNetwork
{
    public const string SilentDnsServer = "127.0.0.1:9";

    public static readonly string UnreachableRoutes = "{" + string.Join(
        ",",
        new[] { "elsewhere.example", "ours.example", "gmail.com", "outside.example", "evil.example" }
            .Select(d => $"\"{d}\":\"127.0.0.1:9\"")) + "}";
}
