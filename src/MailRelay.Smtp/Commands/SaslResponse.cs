using MailRelay.Smtp.Protocol;

namespace MailRelay.Smtp.Commands;

/// <summary>One decoded SASL response from the client, or the reply that ends the exchange instead.</summary>
public readonly record struct SaslResponse(byte[]? Data, SmtpReply? Refusal)
{
    public static SaslResponse Of(byte[] data) => new(data, null);

    public static SaslResponse Refused(SmtpReply refusal) => new(null, refusal);
}
