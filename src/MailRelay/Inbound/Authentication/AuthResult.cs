namespace MailRelay.Inbound.Authentication;

/// <summary>The result keywords of RFC 8601 §2.7 (and RFC 7208 §2.6 for SPF), as they appear in Authentication-Results.</summary>
public static class AuthResult
{
    public const string None = "none";
    public const string Pass = "pass";
    public const string Fail = "fail";
    public const string SoftFail = "softfail";
    public const string Neutral = "neutral";
    public const string Policy = "policy";
    public const string TempError = "temperror";
    public const string PermError = "permerror";

    /// <summary>Every SPF result, for metrics that exist from the start.</summary>
    public static IReadOnlyList<string> SpfResults { get; } = [None, Neutral, Pass, Fail, SoftFail, TempError, PermError];

    /// <summary>Every DKIM result.</summary>
    public static IReadOnlyList<string> DkimResults { get; } = [None, Pass, Fail, Policy, Neutral, TempError, PermError];

    /// <summary>Every DMARC result.</summary>
    public static IReadOnlyList<string> DmarcResults { get; } = [None, Pass, Fail, TempError, PermError];
}
