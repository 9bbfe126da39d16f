namespace MailRelay.RateLimiting;

/// <summary>
/// The destination that pacing state belongs to: the registrable domain of the MX provider
/// (<c>google.com</c>, <c>outlook.com</c>, <c>yahoo.com</c>), lower case.
/// </summary>
public readonly record struct ProviderKey
{
    public ProviderKey(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Value = value.ToLowerInvariant();
    }

    public string Value { get; }

    public override string ToString() => Value;
}
