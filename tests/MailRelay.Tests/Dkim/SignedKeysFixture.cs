using MailRelay.Configuration;
using MailRelay.Dkim;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRelay.Tests.Dkim;

/// <summary>Keys for example.com and example.org, generated once for a test class (2048 bits, as in production).</summary>
public sealed class SignedKeysFixture : IDisposable
{
    private readonly DkimTestDirectory _directory = new();

    public SignedKeysFixture()
    {
        Store = DkimKeyStore.LoadOrCreate(
            _directory.Settings(true, 2048, new MailDomain("example.com", "mail"), new MailDomain("example.org", "s2026")),
            NullLogger.Instance);
    }

    internal DkimKeyStore Store { get; }

    internal string RecordPath(string domain) => Store.Keys.Single(k => k.Domain == domain).Files.RecordPath;

    public void Dispose()
    {
        Store.Dispose();
        _directory.Dispose();
    }
}
