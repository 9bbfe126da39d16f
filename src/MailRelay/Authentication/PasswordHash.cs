using System.Globalization;
using System.Security.Cryptography;

namespace MailRelay.Authentication;

/// <summary>
/// The secrets of the users file: <c>{PBKDF2-SHA256}iterations$salt$hash</c> (base64 salt and hash) or
/// <c>{PLAIN}password</c>. PBKDF2 with SHA-256 at 210,000 iterations is OWASP's current advice for PBKDF2.
/// </summary>
public static class PasswordHash
{
    public const string Pbkdf2Scheme = "{PBKDF2-SHA256}";
    public const string PlainScheme = "{PLAIN}";
    public const int DefaultIterations = 210_000;
    public const int SaltSize = 16;
    public const int HashSize = 32;

    /// <summary>Fewer iterations would make a stolen users file cheap to attack.</summary>
    public const int MinIterations = 1_000;

    /// <summary>More would let one login occupy a core for seconds.</summary>
    public const int MaxIterations = 10_000_000;

    /// <summary>A new secret for <paramref name="password"/> with a random salt and the default iterations.</summary>
    public static Pbkdf2Secret Create(string password) => Create(password, DefaultIterations);

    public static Pbkdf2Secret Create(string password, int iterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Rfc2898DeriveBytes.Pbkdf2(System.Text.Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashSize);
        return new Pbkdf2Secret(iterations, salt, hash);
    }

    /// <summary>
    /// Parses a stored secret. The error never quotes the text, which may be a password written without its scheme.
    /// </summary>
    public static bool TryParse(string text, out UserSecret? secret, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        secret = null;
        error = string.Empty;
        if (text.StartsWith(PlainScheme, StringComparison.Ordinal))
        {
            var password = text[PlainScheme.Length..];
            if (password.Length == 0)
            {
                error = $"the {PlainScheme} password is empty.";
                return false;
            }

            if (password.Any(char.IsControl))
            {
                error = $"the {PlainScheme} password contains control characters.";
                return false;
            }

            secret = new PlainSecret(password);
            return true;
        }

        if (text.StartsWith(Pbkdf2Scheme, StringComparison.Ordinal))
        {
            return TryParsePbkdf2(text[Pbkdf2Scheme.Length..], out secret, out error);
        }

        error = text.Length == 0
            ? "the secret is empty."
            : $"the secret does not start with {Pbkdf2Scheme} or {PlainScheme}.";
        return false;
    }

    private static bool TryParsePbkdf2(string text, out UserSecret? secret, out string error)
    {
        secret = null;
        var parts = text.Split('$');
        if (parts.Length != 3)
        {
            error = $"a {Pbkdf2Scheme} secret has the form iterations$salt$hash.";
            return false;
        }

        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations < MinIterations || iterations > MaxIterations)
        {
            error = $"the {Pbkdf2Scheme} iteration count is not a whole number from {MinIterations} to {MaxIterations}.";
            return false;
        }

        if (!TryDecode(parts[1], 8, 64, out var salt))
        {
            error = $"the {Pbkdf2Scheme} salt is not base64 of 8 to 64 bytes.";
            return false;
        }

        if (!TryDecode(parts[2], 16, 64, out var hash))
        {
            error = $"the {Pbkdf2Scheme} hash is not base64 of 16 to 64 bytes.";
            return false;
        }

        secret = new Pbkdf2Secret(iterations, salt, hash);
        error = string.Empty;
        return true;
    }

    private static bool TryDecode(string text, int minBytes, int maxBytes, out byte[] bytes)
    {
        bytes = [];
        var buffer = new byte[maxBytes + 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written) || written < minBytes || written > maxBytes)
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }
}
