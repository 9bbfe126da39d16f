namespace MailRelay.Configuration;

/// <summary>The PEM files of the server certificate used for STARTTLS and implicit-TLS listeners.</summary>
/// <param name="CertificateFile">Path of the PEM certificate (chain).</param>
/// <param name="KeyFile">Path of the PEM private key.</param>
public sealed record TlsCertificateFiles(string CertificateFile, string KeyFile);
