namespace MailRelay.Inbound.Authentication;

/// <summary>The public key of a DKIM signature could not be had; <see cref="Result"/> is temperror or permerror (RFC 6376 §6.1.2).</summary>
public sealed class DkimKeyUnavailableException : Exception
{
    public DkimKeyUnavailableException()
    {
        Result = AuthResult.PermError;
    }

    public DkimKeyUnavailableException(string message)
        : base(message)
    {
        Result = AuthResult.PermError;
    }

    public DkimKeyUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        Result = AuthResult.PermError;
    }

    public DkimKeyUnavailableException(string result, string message)
        : base(message)
    {
        Result = result;
    }

    public string Result { get; }
}
