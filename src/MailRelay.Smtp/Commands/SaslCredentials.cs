using MailRelay.Smtp.Protocol;

namespace MailRelay.Smtp.Commands;

/// <summary>The user name and password a SASL exchange produced, or the reply that ended it early.</summary>
public readonly record struct SaslCredentials(string? UserName, string? Password, SmtpReply? Refusal)
{
    public static SaslCredentials Refused(SmtpReply refusal) => new(null, null, refusal);

    /// <summary>No password in the text form, whatever prints it.</summary>
    public override string ToString() => Refusal is null ? $"SaslCredentials {{ UserName = {UserName} }}" : $"SaslCredentials {{ Refusal = {Refusal} }}";
}
