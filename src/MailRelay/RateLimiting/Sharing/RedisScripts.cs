namespace MailRelay.RateLimiting.Sharing;

/// <summary>
/// The Lua scripts that keep the shared ceilings. Each runs atomically in Redis, so no two replicas can take the same
/// slot or the last connection. Times are microseconds of the Redis server's clock (<c>TIME</c>), never a replica's:
/// replicas learn a slot as an offset from the server's now and wait that long on their own timer, so skewed clocks
/// still space slots correctly. Numbers go back into Redis through <c>string.format('%.0f')</c>, because Lua's own
/// number-to-string conversion keeps only 14 digits.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// Reserves the first instant at or after server-now + ARGV[1] µs that every scope allows, and records it in each.
    /// KEYS: per scope, its window (a list of its last <c>count</c> instants, oldest first) and its last instant.
    /// ARGV: [1] offset of the earliest wanted instant from the server's now (µs) when reserving, or when beginning
    /// the hold (µs), [2] expiry of the keys (ms), then per scope: minimum gap (µs), rate count (0 = none), rate
    /// interval (µs), and last 1 to begin now or not at all, or 0 to reserve. Reserving records the slot. Beginning
    /// records nothing unless the instant is now, and then records now + hold: a transaction begun holds the others
    /// off until its MAIL FROM has left (<see cref="Restamp"/> moves the record to that instant) or the hold ends.
    /// Returns { slot, now, the recorded value } in server µs.
    /// </summary>
    public const string Reserve = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local begin = ARGV[#ARGV] == '1'
        local slot = now
        if not begin then
          slot = now + tonumber(ARGV[1])
        end
        local scopes = #KEYS / 2
        local moved = true
        while moved do
          moved = false
          for i = 1, scopes do
            local gap = tonumber(ARGV[3 + (i - 1) * 3])
            local count = tonumber(ARGV[4 + (i - 1) * 3])
            local interval = tonumber(ARGV[5 + (i - 1) * 3])
            local last = redis.call('GET', KEYS[i * 2])
            if last and gap > 0 and tonumber(last) + gap > slot then
              slot = tonumber(last) + gap
              moved = true
            end
            if count > 0 and redis.call('LLEN', KEYS[i * 2 - 1]) >= count then
              local oldest = tonumber(redis.call('LINDEX', KEYS[i * 2 - 1], 0))
              if oldest + interval > slot then
                slot = oldest + interval
                moved = true
              end
            end
          end
        end
        if begin and slot > now then
          return { string.format('%.0f', slot), string.format('%.0f', now), '' }
        end
        local text = string.format('%.0f', slot)
        if begin then
          text = string.format('%.0f', now + tonumber(ARGV[1]))
        end
        for i = 1, scopes do
          local count = tonumber(ARGV[4 + (i - 1) * 3])
          redis.call('SET', KEYS[i * 2], text, 'PX', ARGV[2])
          if count > 0 then
            redis.call('RPUSH', KEYS[i * 2 - 1], text)
            redis.call('LTRIM', KEYS[i * 2 - 1], -count, -1)
            redis.call('PEXPIRE', KEYS[i * 2 - 1], ARGV[2])
          end
        end
        return { string.format('%.0f', slot), string.format('%.0f', now), text }
        """;

    /// <summary>
    /// A begun transaction's MAIL FROM has left: its held record (ARGV[1]) becomes the server's now in every scope
    /// (KEYS: window and last instant per scope, as in <see cref="Reserve"/>), and the replicas waiting are told
    /// (ARGV[2] channel, ARGV[3] message). Later transactions keep their gaps to the MAIL FROM itself.
    /// </summary>
    public const string Restamp = """
        local t = redis.call('TIME')
        local text = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
        for i = 1, #KEYS / 2 do
          if redis.call('GET', KEYS[i * 2]) == ARGV[1] then
            redis.call('SET', KEYS[i * 2], text, 'KEEPTTL')
          end
          local index = redis.call('LPOS', KEYS[i * 2 - 1], ARGV[1])
          if index then
            redis.call('LSET', KEYS[i * 2 - 1], index, text)
          end
        end
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return text
        """;

    /// <summary>
    /// Takes one place in a connection ceiling. KEYS[1]: the ceiling's leases (a sorted set, member = lease id, score =
    /// expiry in server µs). ARGV: [1] the ceiling, [2] the lease id, [3] the lease's life (µs). Leases past their expiry
    /// belong to a replica that stopped renewing them (it died) and are dropped first. Returns 1 when taken, else 0.
    /// </summary>
    public const string Acquire = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now))
        local expiry = string.format('%.0f', now + tonumber(ARGV[3]))
        if redis.call('ZSCORE', KEYS[1], ARGV[2]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
          redis.call('ZADD', KEYS[1], expiry, ARGV[2])
          redis.call('PEXPIRE', KEYS[1], math.floor(tonumber(ARGV[3]) / 1000) + 1000)
          return 1
        end
        return 0
        """;

    /// <summary>
    /// Extends leases still held. KEYS: the ceilings; ARGV: [1] the lease life (µs), then the lease id for each key.
    /// A lease already dropped as expired is not brought back. Returns how many were extended.
    /// </summary>
    public const string Renew = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local expiry = string.format('%.0f', now + tonumber(ARGV[1]))
        local renewed = 0
        for i = 1, #KEYS do
          if redis.call('ZSCORE', KEYS[i], ARGV[i + 1]) then
            redis.call('ZADD', KEYS[i], 'XX', expiry, ARGV[i + 1])
            redis.call('PEXPIRE', KEYS[i], math.floor(tonumber(ARGV[1]) / 1000) + 1000)
            renewed = renewed + 1
          end
        end
        return renewed
        """;

    /// <summary>
    /// Registers leases again after an outage, whether Redis still has them or not: the connections they stand for are
    /// open. KEYS and ARGV as in <see cref="Renew"/>. The set may then hold more leases than its ceiling; nobody takes a
    /// place (<see cref="Acquire"/>) until enough of them are given back. Returns how many were registered.
    /// </summary>
    public const string Register = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local expiry = string.format('%.0f', now + tonumber(ARGV[1]))
        for i = 1, #KEYS do
          redis.call('ZADD', KEYS[i], expiry, ARGV[i + 1])
          redis.call('PEXPIRE', KEYS[i], math.floor(tonumber(ARGV[1]) / 1000) + 1000)
        end
        return #KEYS
        """;

    /// <summary>Gives a place back and tells the waiting replicas. KEYS[1]: the ceiling; ARGV: [1] lease id, [2] channel, [3] message.</summary>
    public const string Release = """
        local removed = redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return removed
        """;

    /// <summary>
    /// Counts one send against a day's warm-up cap. KEYS[1]: the provider's count for that UTC day. ARGV: [1] the cap,
    /// [2] the key's life (s). Returns { 1 = counted / 0 = cap reached, the day's count }.
    /// </summary>
    public const string Warmup = """
        local sent = tonumber(redis.call('GET', KEYS[1]) or '0')
        if sent >= tonumber(ARGV[1]) then
          return { 0, sent }
        end
        sent = redis.call('INCR', KEYS[1])
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        return { 1, sent }
        """;

    /// <summary>
    /// Publishes a provider's adaptive state. KEYS[1]: the state (a hash: v = version, delay = µs, state = JSON).
    /// ARGV: [1] the version the replica last saw, [2] 1 when a rate-limit reply caused it, [3] the delay (µs), [4] the
    /// JSON, [5] the channel, [6] the message head. Taken when the replica saw the latest version, or when it slows
    /// the provider down further than the shared delay (a backoff computed from an older state is never lost).
    /// Returns { 1, version } when taken, else { 0, version, the shared JSON } for the replica to adopt.
    /// </summary>
    public const string PublishAdaptive = """
        local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
        local delay = tonumber(redis.call('HGET', KEYS[1], 'delay') or '-1')
        if v == tonumber(ARGV[1]) or (ARGV[2] == '1' and tonumber(ARGV[3]) > delay) then
          v = v + 1
          redis.call('HSET', KEYS[1], 'v', string.format('%.0f', v), 'delay', ARGV[3], 'state', ARGV[4])
          redis.call('PUBLISH', ARGV[5], ARGV[6] .. '\n' .. string.format('%.0f', v) .. '\n' .. ARGV[4])
          return { 1, v }
        end
        return { 0, v, redis.call('HGET', KEYS[1], 'state') or '' }
        """;
}
