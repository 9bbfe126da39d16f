namespace MailRelay.Authentication;

/// <summary>
/// What the users file holds for one user. Not a record, so that no generated <c>ToString</c> or debugger display
/// ever prints the secret.
/// </summary>
public abstract class UserSecret
{
    /// <summary>
    /// Whether this secret needs a key derivation to check (so an unknown user, or a plain secret, must spend the
    /// same work to keep timing from telling them apart).
    /// </summary>
    public abstract bool IsDerived { get; }

    /// <summary>True when <paramref name="password"/> is the password this secret stands for; constant-time in its content.</summary>
    public abstract bool Matches(string password);

    public override string ToString() => $"{GetType().Name} {{ {Configuration.ConfigurationReport.Redacted} }}";
}
