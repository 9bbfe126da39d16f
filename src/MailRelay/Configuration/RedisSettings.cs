namespace MailRelay.Configuration;

/// <summary>
/// REDIS_*, REPLICAS: where replicas share their provider pacing. <see cref="Host"/> null = no Redis: every ceiling is
/// kept by this process alone, as with one replica.
/// </summary>
public sealed record RedisSettings
{
    /// <summary>No Redis: what the defaults give.</summary>
    public static RedisSettings Disabled { get; } = new()
    {
        Host = null,
        Port = 6379,
        UseTls = false,
        User = null,
        Password = null,
        Database = 0,
        KeyPrefix = "mailrelay",
        Replicas = 1,
        Timeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>The host of REDIS_URL; null when it is not set.</summary>
    public required string? Host { get; init; }

    public required int Port { get; init; }

    /// <summary><c>rediss://</c>: TLS to Redis.</summary>
    public required bool UseTls { get; init; }

    /// <summary>The ACL user of REDIS_URL, or null for the default user.</summary>
    public required string? User { get; init; }

    /// <summary>From REDIS_URL or REDIS_PASSWORD_FILE; never printed.</summary>
    public required string? Password { get; init; }

    /// <summary>The database number, REDIS_URL's path.</summary>
    public required int Database { get; init; }

    /// <summary>REDIS_KEY_PREFIX: every key and channel begins with <c>{prefix}:</c>.</summary>
    public required string KeyPrefix { get; init; }

    /// <summary>REPLICAS: the share of each ceiling a replica keeps to while Redis is unreachable is 1 / this.</summary>
    public required int Replicas { get; init; }

    /// <summary>REDIS_TIMEOUT: connecting and each command; past it a claim falls back to the local share.</summary>
    public required TimeSpan Timeout { get; init; }

    public bool Enabled => Host is not null;
}
