namespace MailRelay.Dkim;

/// <summary>
/// A DKIM key that cannot be used as configured: missing with DKIM_AUTO_GENERATE=false, unreadable,
/// too small or too large, or not matching its published record. The daemon must not start with it.
/// </summary>
public sealed class DkimConfigurationException : Exception
{
    public DkimConfigurationException()
    {
    }

    public DkimConfigurationException(string message)
        : base(message)
    {
    }

    public DkimConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
