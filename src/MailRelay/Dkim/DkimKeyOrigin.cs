namespace MailRelay.Dkim;

/// <summary>Where a loaded key came from.</summary>
public enum DkimKeyOrigin
{
    /// <summary>Found on disk (written by an earlier start or provided by the operator); used as is.</summary>
    Existing,

    /// <summary>Generated at this start because none existed and DKIM_AUTO_GENERATE is on.</summary>
    Generated,
}
