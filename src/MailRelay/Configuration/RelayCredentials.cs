namespace MailRelay.Configuration;

/// <summary>
/// The user name and password for the smarthost. Not a record, so that no generated <c>ToString</c> or
/// debugger display ever prints the password.
/// </summary>
public sealed class RelayCredentials
{
    public RelayCredentials(string userName, string password)
    {
        UserName = userName;
        Password = password;
    }

    public string UserName { get; }

    /// <summary>The secret itself; pass it to the SMTP client only, never to a log.</summary>
    public string Password { get; }

    public override string ToString() => $"RelayCredentials {{ UserName = {UserName}, Password = {ConfigurationReport.Redacted} }}";
}
