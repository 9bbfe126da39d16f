using System.Globalization;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads REDIS_URL (a <c>redis://</c> or <c>rediss://</c> URL), its password file, the key prefix, REPLICAS and the timeout.</summary>
internal static class RedisSettingsReader
{
    private const int MaxPrefixLength = 64;

    public static RedisSettings Read(EnvironmentReader reader)
    {
        var replicas = reader.ReadInteger(N.Replicas, 1, 1000);
        var prefix = reader.Read<string>(N.RedisKeyPrefix, ParsePrefix);
        var timeout = reader.ReadPositiveDuration(N.RedisTimeout);
        var given = reader.Given(N.RedisUrl)?.Trim();
        var path = reader.Given(N.RedisPasswordFile)?.Trim();
        reader.Resolve(N.RedisPasswordFile, path ?? string.Empty, fromDefault: path is null);
        var settings = RedisSettings.Disabled with { KeyPrefix = prefix, Replicas = replicas, Timeout = timeout };
        if (given is null)
        {
            reader.Resolve(N.RedisUrl, string.Empty, fromDefault: true);
            if (path is not null)
            {
                reader.Error(N.RedisPasswordFile, $"is set but {N.RedisUrl} is not: set {N.RedisUrl} to share pacing through Redis, or unset both.");
            }

            return settings;
        }

        if (!TryParseUrl(given, out var url, out var error))
        {
            reader.Resolve(N.RedisUrl, Redact(given), fromDefault: false);
            reader.Error(N.RedisUrl, error);
            return settings;
        }

        reader.Resolve(N.RedisUrl, Redact(given), fromDefault: false);
        var password = url.Password;
        if (path is not null)
        {
            if (password is not null)
            {
                reader.Error(N.RedisPasswordFile, $"give the password either inside {N.RedisUrl} or in {N.RedisPasswordFile}, not both.");
                return settings;
            }

            password = SecretSources.ReadFile(reader, N.RedisPasswordFile, path);
        }

        return settings with
        {
            Host = url.Host,
            Port = url.Port,
            UseTls = url.UseTls,
            User = url.User,
            Password = password,
            Database = url.Database,
        };
    }

    /// <summary>The URL as <c>config check</c> prints it: a password in it becomes <c>********</c>.</summary>
    internal static string Redact(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var at = text.LastIndexOf('@');
        if (scheme < 0 || at < scheme)
        {
            return text;
        }

        var userInfo = text[(scheme + 3)..at];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? string.Empty : userInfo[..colon];
        return colon < 0 && userInfo.Length == 0
            ? text
            : text[..(scheme + 3)] + user + ":" + ConfigurationReport.Redacted + text[at..];
    }

    private static bool TryParseUrl(string text, out ParsedUrl url, out string error)
    {
        url = default;
        error = $"'{Redact(text)}' is not a URL redis://[user:password@]host[:port][/database] (or rediss:// for TLS).";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            error = $"'{Redact(text)}' has a query or fragment; only redis://[user:password@]host[:port][/database] is read.";
            return false;
        }

        var database = 0;
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database) || database > 15))
        {
            error = $"'{Redact(text)}' names database '{path}': a whole number 0–15 is expected.";
            return false;
        }

        string? user = null;
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = parts[0].Length > 0 ? Uri.UnescapeDataString(parts[0]) : null;
            password = parts.Length > 1 && parts[1].Length > 0 ? Uri.UnescapeDataString(parts[1]) : null;
        }

        url = new ParsedUrl(uri.IdnHost, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port, uri.Scheme == "rediss", user, password, database);
        return true;
    }

    private static bool ParsePrefix(string text, out string prefix, out string error)
    {
        prefix = text.Trim();
        error = string.Empty;
        if (prefix.Length is 0 or > MaxPrefixLength || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
        {
            error = $"'{text}' is not 1–{MaxPrefixLength} characters of letters, digits, '-', '_', '.' and ':'.";
            return false;
        }

        return true;
    }

    private readonly record struct ParsedUrl(string Host, int Port, bool UseTls, string? User, string? Password, int Database);
}
