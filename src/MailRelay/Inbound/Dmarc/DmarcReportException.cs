namespace MailRelay.Inbound.Dmarc;

/// <summary>A DMARC report that cannot be used: not XML, not the schema, over a size bound, a broken archive.</summary>
public sealed class DmarcReportException : Exception
{
    public DmarcReportException()
    {
    }

    public DmarcReportException(string message)
        : base(message)
    {
    }

    public DmarcReportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
