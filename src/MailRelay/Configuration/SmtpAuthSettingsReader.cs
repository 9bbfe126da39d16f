using MailRelay.Authentication;
using N = MailRelay.Configuration.VariableNames;

namespace MailRelay.Configuration;

/// <summary>Reads the inbound SMTP AUTH settings and checks the users file, so a bad one stops the daemon at start.</summary>
internal static class SmtpAuthSettingsReader
{
    public static SmtpAuthSettings Read(EnvironmentReader reader, TlsCertificateFiles? tls)
    {
        var enabled = reader.ReadBoolean(N.SmtpAuthEnabled);
        var requireTls = reader.ReadBoolean(N.SmtpAuthRequireTls);
        var usersFile = reader.Given(N.SmtpAuthUsersFile)?.Trim();
        reader.Resolve(N.SmtpAuthUsersFile, usersFile ?? string.Empty, fromDefault: usersFile is null);

        if (!enabled)
        {
            if (usersFile is not null)
            {
                reader.Warn(N.SmtpAuthUsersFile, $"is set, but {N.SmtpAuthEnabled} is false, so AUTH is not offered.");
            }

            return new SmtpAuthSettings(false, usersFile, requireTls);
        }

        if (usersFile is null)
        {
            reader.Error(N.SmtpAuthUsersFile, $"must be set when {N.SmtpAuthEnabled} is true.");
        }
        else
        {
            var load = UsersFile.Read(usersFile);
            foreach (var error in load.Errors)
            {
                reader.Error(N.SmtpAuthUsersFile, error.StartsWith("cannot read", StringComparison.Ordinal) ? error : $"'{usersFile}' {error}");
            }
        }

        // A listener with /tls needs the certificate too, so without one there is no TLS anywhere for AUTH to live in.
        if (requireTls && tls is null && !reader.HasError(N.TlsCertFile) && !reader.HasError(N.TlsKeyFile))
        {
            reader.Error(N.SmtpAuthEnabled, $"AUTH is offered only inside TLS ({N.SmtpAuthRequireTls}=true), which needs {N.TlsCertFile} and {N.TlsKeyFile}; without them AUTH could never be used.");
        }

        if (!requireTls)
        {
            reader.Warn(N.SmtpAuthRequireTls, "is false: clients may send their passwords over connections without TLS.");
        }

        return new SmtpAuthSettings(true, usersFile, requireTls);
    }
}
