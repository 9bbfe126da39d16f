namespace MailRelay.Configuration.Syntax;

/// <summary>What one key of a JSON settings table must hold.</summary>
public enum JsonFieldKind
{
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>A whole number of at least 1.</summary>
    PositiveInteger,

    /// <summary>A whole number of at least 0 (milliseconds and the like).</summary>
    NonNegativeInteger,

    /// <summary>A number of at least 1 (a backoff multiplier).</summary>
    Multiplier,

    /// <summary>A number more than 0 and at most 1 (a recovery rate).</summary>
    Fraction,

    /// <summary>A string <c>"N/duration"</c>, e.g. <c>"1/20s"</c>: at most N messages per duration.</summary>
    Rate,
}
