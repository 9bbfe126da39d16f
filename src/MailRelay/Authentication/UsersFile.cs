using System.Text;

namespace MailRelay.Authentication;

/// <summary>
/// The SMTP AUTH users file (SMTP_AUTH_USERS_FILE): one <c>user:secret</c> per line, <c>#</c> comments and blank
/// lines ignored; see <see cref="PasswordHash"/> for the secrets. Nothing it reports quotes a secret.
/// </summary>
public static class UsersFile
{
    /// <summary>A users file is a few lines per user; anything near this is a wrong path, not a users file.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>Problems reported per file; past this the operator has the wrong file.</summary>
    private const int MaxReportedErrors = 20;

    private const int MaxUserNameLength = 256;

    /// <summary>Reads and parses the file; an unreadable or oversized file is one error.</summary>
    public static UsersFileLoad Read(string path) =>
        TryReadBytes(path, out var content, out var error) ? Parse(content) : Failed(error);

    /// <summary>The file's bytes, bounded by <see cref="MaxBytes"/>.</summary>
    public static bool TryReadBytes(string path, out byte[] content, out string error)
    {
        ArgumentNullException.ThrowIfNull(path);
        content = [];
        error = string.Empty;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[Math.Min(stream.Length, MaxBytes) + 1];
            var length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (length > MaxBytes)
            {
                error = $"cannot read '{path}': it is larger than {MaxBytes} bytes.";
                return false;
            }

            content = buffer[..length];
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"cannot read '{path}': {exception.Message}";
            return false;
        }
    }

    /// <summary>Parses UTF-8 content, with or without a byte order mark.</summary>
    public static UsersFileLoad Parse(ReadOnlySpan<byte> content)
    {
        var text = content.StartsWith(Encoding.UTF8.Preamble) ? content[Encoding.UTF8.Preamble.Length..] : content;
        return Parse(Encoding.UTF8.GetString(text));
    }

    public static UsersFileLoad Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var users = new Dictionary<string, UserSecret>(StringComparer.Ordinal);
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = new List<string>();
        var lines = text.Split('\n');
        for (var index = 0; index < lines.Length && errors.Count < MaxReportedErrors; index++)
        {
            var number = index + 1;
            var line = lines[index].TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                errors.Add($"line {number}: expected user:secret, found no ':'.");
                continue;
            }

            var userName = line[..colon];
            if (CheckUserName(userName) is { } problem)
            {
                errors.Add($"line {number}: {problem}");
                continue;
            }

            if (firstLine.TryGetValue(userName, out var earlier))
            {
                errors.Add($"line {number}: the user '{userName}' is already defined on line {earlier}.");
                continue;
            }

            firstLine[userName] = number;
            if (!PasswordHash.TryParse(line[(colon + 1)..], out var secret, out var error))
            {
                errors.Add($"line {number}: user '{userName}': {error}");
                continue;
            }

            users[userName] = secret!;
        }

        return errors.Count == 0 ? new UsersFileLoad(users, []) : new UsersFileLoad(new Dictionary<string, UserSecret>(), errors);
    }

    private static string? CheckUserName(string userName)
    {
        if (userName.Length == 0)
        {
            return "the user name is empty.";
        }

        if (userName.Any(char.IsControl))
        {
            return "the user name contains control characters.";
        }

        if (userName.Length > MaxUserNameLength)
        {
            return $"the user name is longer than {MaxUserNameLength} characters.";
        }

        // Blanks around a name are an editing slip; a client would never type them.
        return char.IsWhiteSpace(userName[0]) || char.IsWhiteSpace(userName[^1])
            ? $"the user name '{userName}' has blanks around it."
            : null;
    }

    private static UsersFileLoad Failed(string error) => new(new Dictionary<string, UserSecret>(), [error]);
}
