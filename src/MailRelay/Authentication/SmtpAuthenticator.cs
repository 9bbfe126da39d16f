using System.Security.Cryptography;
using System.Text;
using MailRelay.Smtp.Session;

namespace MailRelay.Authentication;

/// <summary>
/// Checks AUTH credentials against the users file. A PBKDF2 derivation costs tens of milliseconds by design, and
/// applications often connect once per message, so a recent successful login is remembered as an HMAC of the
/// password under a per-process random key (never the password): the same correct login again costs one HMAC.
/// Every check that is not such a repeat spends one derivation, whether the user exists or not and whatever
/// the scheme of its secret, so timing does not tell which users exist.
/// </summary>
public sealed class SmtpAuthenticator : ISmtpAuthenticator, IDisposable
{
    /// <summary>Users remembered at once; beyond it the least recently used is forgotten.</summary>
    public const int DefaultCacheCapacity = 1024;

    private const int MaxLoggedUserNameLength = 128;

    private readonly Func<IReadOnlyDictionary<string, UserSecret>> _users;
    private readonly AuthMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Pbkdf2Secret _dummy;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly Dictionary<string, CachedLogin> _cache = new(StringComparer.Ordinal);
    private readonly Lock _cacheSync = new();
    private readonly int _cacheCapacity;

    // Derivations are CPU-bound and block their thread: no more at once than there are cores, so a flood of
    // AUTH attempts queues here instead of starving the thread pool.
    private readonly SemaphoreSlim _derivationSlots = new(Environment.ProcessorCount, Environment.ProcessorCount);
    private long _useCounter;
    private long _derivations;

    public SmtpAuthenticator(UsersFileStore users, AuthMetrics metrics, ILogger<SmtpAuthenticator> logger)
        : this(() => users.Users, metrics, logger, PasswordHash.DefaultIterations, DefaultCacheCapacity)
    {
        ArgumentNullException.ThrowIfNull(users);
    }

    /// <param name="users">The current users (the store swaps them on reload).</param>
    /// <param name="metrics">Counts successes and failures.</param>
    /// <param name="logger">Receives one event per check.</param>
    /// <param name="dummyIterations">Work spent where no derivation of the user's own is due (tests use less).</param>
    /// <param name="cacheCapacity">Users remembered at once.</param>
    internal SmtpAuthenticator(
        Func<IReadOnlyDictionary<string, UserSecret>> users,
        AuthMetrics metrics,
        ILogger logger,
        int dummyIterations,
        int cacheCapacity)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheCapacity, 1);
        _users = users;
        _metrics = metrics;
        _logger = logger;
        _cacheCapacity = cacheCapacity;
        _dummy = PasswordHash.Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)), dummyIterations);
    }

    /// <summary>Key derivations spent so far (the user's own or the dummy); a remembered login spends none.</summary>
    internal long Derivations => Interlocked.Read(ref _derivations);

    public async ValueTask<bool> AuthenticateAsync(SessionContext session, string userName, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        var users = _users();
        users.TryGetValue(userName, out var secret);
        var mac = MacOf(userName, password);
        if (secret is not null && IsRemembered(userName, secret, mac))
        {
            return Succeed(session, userName);
        }

        bool valid;
        await _derivationSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            valid = Verify(secret, password);
        }
        finally
        {
            _derivationSlots.Release();
        }

        if (!valid)
        {
            return Fail(session, userName, secret is null ? "unknown user" : "wrong password");
        }

        Remember(userName, secret!, mac);
        return Succeed(session, userName);
    }

    public void Dispose() => _derivationSlots.Dispose();

    private bool Verify(UserSecret? secret, string password)
    {
        Interlocked.Increment(ref _derivations);
        if (secret is { IsDerived: true })
        {
            return secret.Matches(password);
        }

        // No derivation of its own is due (unknown user, or a {PLAIN} secret): spend the same work anyway.
        _ = _dummy.Matches(password);
        return secret is not null && secret.Matches(password);
    }

    private byte[] MacOf(string userName, string password)
    {
        // The NUL keeps ("ab", "c") and ("a", "bc") apart; neither part can contain one that matters here.
        var input = Encoding.UTF8.GetBytes(userName + "\0" + password);
        try
        {
            return HMACSHA256.HashData(_cacheKey, input);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    private bool IsRemembered(string userName, UserSecret secret, byte[] mac)
    {
        lock (_cacheSync)
        {
            if (!_cache.TryGetValue(userName, out var cached))
            {
                return false;
            }

            // A reloaded users file gives the user a new secret object: what was proven against the old one no longer counts.
            if (!ReferenceEquals(cached.Secret, secret) || !CryptographicOperations.FixedTimeEquals(cached.Mac, mac))
            {
                return false;
            }

            _cache[userName] = cached with { LastUse = ++_useCounter };
            return true;
        }
    }

    private void Remember(string userName, UserSecret secret, byte[] mac)
    {
        lock (_cacheSync)
        {
            if (_cache.Count >= _cacheCapacity && !_cache.ContainsKey(userName))
            {
                var oldest = _cache.MinBy(entry => entry.Value.LastUse).Key;
                _cache.Remove(oldest);
            }

            _cache[userName] = new CachedLogin(secret, mac, ++_useCounter);
        }
    }

    private bool Succeed(SessionContext session, string userName)
    {
        _metrics.Succeeded();
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var printableName = Printable(userName);
            var client = ClientOf(session);
            AuthLog.Succeeded(_logger, printableName, client, session.Id);
        }

        return true;
    }

    private bool Fail(SessionContext session, string userName, string reason)
    {
        _metrics.Failed();
        AuthLog.Failed(_logger, Printable(userName), ClientOf(session), session.Id, reason);

        return false;
    }

    private static string ClientOf(SessionContext session) => session.RemoteAddress?.ToString() ?? "unknown";

    /// <summary>The client chose the name: control characters are escaped and length is bounded before it reaches a log.</summary>
    private static string Printable(string userName)
    {
        var text = new StringBuilder();
        foreach (var c in userName.Length > MaxLoggedUserNameLength ? userName[..MaxLoggedUserNameLength] : userName)
        {
            text.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return userName.Length > MaxLoggedUserNameLength ? text.Append('…').ToString() : text.ToString();
    }

    private sealed record CachedLogin(UserSecret Secret, byte[] Mac, long LastUse);
}
