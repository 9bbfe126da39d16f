using System.Security.Cryptography;
using System.Text;

namespace MailRelay.Authentication;

/// <summary>
/// A <c>{PLAIN}</c> secret: the password itself, for operators whose secret store is already the protection.
/// </summary>
public sealed class PlainSecret : UserSecret
{
    private readonly byte[] _digest;

    public PlainSecret(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        _digest = SHA256.HashData(Encoding.UTF8.GetBytes(password));
    }

    public override bool IsDerived => false;

    // Comparing digests keeps the comparison fixed-length, so neither the content nor the length of the password
    // shows in the time it takes.
    public override bool Matches(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return CryptographicOperations.FixedTimeEquals(_digest, SHA256.HashData(Encoding.UTF8.GetBytes(password)));
    }
}
