using System.Security.Cryptography;
using System.Text;

namespace MailRelay.Authentication;

/// <summary>A <c>{PBKDF2-SHA256}iterations$salt$hash</c> secret, as <see cref="PasswordHash.Create(string)"/> makes it.</summary>
public sealed class Pbkdf2Secret : UserSecret
{
    private readonly byte[] _salt;
    private readonly byte[] _hash;

    public Pbkdf2Secret(int iterations, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> hash)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        Iterations = iterations;
        _salt = salt.ToArray();
        _hash = hash.ToArray();
    }

    public int Iterations { get; }

    public override bool IsDerived => true;

    public override bool Matches(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var derived = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), _salt, Iterations, HashAlgorithmName.SHA256, _hash.Length);
        return CryptographicOperations.FixedTimeEquals(derived, _hash);
    }

    /// <summary>The text form stored in the users file.</summary>
    public string Format() =>
        $"{PasswordHash.Pbkdf2Scheme}{Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture)}${Convert.ToBase64String(_salt)}${Convert.ToBase64String(_hash)}";
}
