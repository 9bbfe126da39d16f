using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads the inbound verification switches (INBOUND_SPF_*, INBOUND_DKIM_*, INBOUND_DMARC_*).</summary>
internal static class InboundSecuritySettingsReader
{
    public static InboundSecuritySettings Read(EnvironmentReader reader) => new()
    {
        SpfEnabled = reader.ReadBoolean(N.InboundSpfEnabled),
        SpfRejectFail = reader.ReadBoolean(N.InboundSpfRejectFail),
        SpfRejectSoftfail = reader.ReadBoolean(N.InboundSpfRejectSoftfail),
        DkimEnabled = reader.ReadBoolean(N.InboundDkimEnabled),
        DmarcEnabled = reader.ReadBoolean(N.InboundDmarcEnabled),
        DmarcRejectOnFail = reader.ReadBoolean(N.InboundDmarcRejectOnFail),
        DmarcQuarantineOnFail = reader.ReadBoolean(N.InboundDmarcQuarantineOnFail),
    };
}
