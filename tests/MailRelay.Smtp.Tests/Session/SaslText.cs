using System.Text;

namespace MailRelay.Smtp.Tests.Session;

/// <summary>Builds SASL responses the way a client encodes them.</summary>
public static class SaslText
{
    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>The RFC 4616 PLAIN message, base64-encoded.</summary>
    public static string Plain(string authorizationId, string userName, string password) =>
        Base64($"{authorizationId}\0{userName}\0{password}");
}
