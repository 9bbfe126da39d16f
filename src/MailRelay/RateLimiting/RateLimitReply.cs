using MailRelay.Smtp.Protocol;

namespace MailRelay.RateLimiting;

/// <summary>
/// Decides whether a remote reply means "you are sending too fast". The rule: reply code 421; or enhanced status
/// 4.7.28 (Gmail's rate limit); or any other 4xx reply whose text contains "rate limit" (also "rate-limit",
/// "ratelimit"), "too many", "throttl" or "try again later", case-insensitive. 5xx replies never count (they are
/// final, not pacing signals) and other 4xx replies such as mailbox full or plain greylisting do not count.
/// </summary>
public static class RateLimitReply
{
    private static readonly string[] Phrases = ["rate limit", "rate-limit", "ratelimit", "too many", "throttl", "try again later"];

    public static bool IsRateLimit(int code, string? enhancedCode, string? text)
    {
        if (code == 421 || string.Equals(enhancedCode, "4.7.28", StringComparison.Ordinal))
        {
            return true;
        }

        if (code is < 400 or > 499 || string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var phrase in Phrases)
        {
            if (text.Contains(phrase, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsRateLimit(SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return IsRateLimit(reply.Code, reply.EnhancedCode, string.Join(' ', reply.Lines));
    }
}
