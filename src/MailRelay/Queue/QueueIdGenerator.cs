namespace MailRelay.Queue;

/// <summary>
/// Queue ids: 16 characters of Crockford base32 (digits and upper-case letters without I, L, O, U), so
/// they are safe as file names on any file system and readable in logs. The first 9 characters are the
/// milliseconds since the Unix epoch (45 bits, good until the year 3084), the last 7 are 35 random bits.
/// Ordinal string order is arrival order. Within one generator ids strictly increase: when the clock
/// has not advanced (or went back), the previous id's random part is incremented instead of drawn anew,
/// so ids stay distinct and ordered under any concurrency.
/// </summary>
internal sealed class QueueIdGenerator
{
    public const int Length = TimeDigits + RandomDigits;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int TimeDigits = 9;
    private const int RandomDigits = 7;
    private const long MaxRandom = (1L << (RandomDigits * 5)) - 1;
    private const long MaxTime = (1L << (TimeDigits * 5)) - 1;

    private readonly Random _random;
    private readonly Lock _gate = new();
    private long _lastTime = -1;
    private long _lastRandom;

    public QueueIdGenerator(Random random)
    {
        _random = random;
    }

    /// <summary>The next id for a message arriving at <paramref name="now"/>.</summary>
    public string Next(DateTimeOffset now)
    {
        var time = Math.Clamp(now.ToUnixTimeMilliseconds(), 0, MaxTime);
        long random;
        lock (_gate)
        {
            if (time > _lastTime)
            {
                random = _random.NextInt64(MaxRandom / 2);
            }
            else if (_lastRandom < MaxRandom)
            {
                time = _lastTime;
                random = _lastRandom + 1;
            }
            else
            {
                time = _lastTime + 1;
                random = _random.NextInt64(MaxRandom / 2);
            }

            _lastTime = time;
            _lastRandom = random;
        }

        // Drawing from the lower half leaves room to increment within one millisecond.
        return string.Create(Length, (time, random), static (span, state) =>
        {
            Encode(span[..TimeDigits], state.time);
            Encode(span[TimeDigits..], state.random);
        });
    }

    /// <summary>Whether <paramref name="candidate"/> has the shape of a queue id.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> candidate)
    {
        if (candidate.Length != Length)
        {
            return false;
        }

        foreach (var c in candidate)
        {
            if (!Alphabet.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static void Encode(Span<char> destination, long value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }
    }
}
