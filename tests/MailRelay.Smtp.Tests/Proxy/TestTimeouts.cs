namespace MailRelay.Smtp.Tests.Proxy;

internal static class TestTimeouts
{
    /// <summary>An upper bound that turns a hang into a failure; never the means of waiting.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
}
