using System.Text;

namespace MailRelay.Smtp.Commands;

/// <summary>The RFC 4616 PLAIN message: [authzid] NUL authcid NUL passwd, UTF-8, no NUL inside a field.</summary>
public sealed class PlainMessage
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private PlainMessage(string authorizationId, string userName, string password)
    {
        AuthorizationId = authorizationId;
        UserName = userName;
        Password = password;
    }

    /// <summary>The identity to act as; empty when the client asks for its own.</summary>
    public string AuthorizationId { get; }

    /// <summary>The authentication identity (authcid).</summary>
    public string UserName { get; }

    public string Password { get; }

    /// <summary>Whether the client asks to act as someone other than the user it authenticates as.</summary>
    public bool RequestsProxyAuthorization =>
        AuthorizationId.Length > 0 && !string.Equals(AuthorizationId, UserName, StringComparison.Ordinal);

    /// <summary>Null when the message does not follow the grammar (a field missing, empty or not UTF-8).</summary>
    public static PlainMessage? Parse(ReadOnlySpan<byte> message)
    {
        var first = message.IndexOf((byte)0);
        if (first < 0)
        {
            return null;
        }

        var afterFirst = message[(first + 1)..];
        var second = afterFirst.IndexOf((byte)0);
        if (second < 0)
        {
            return null;
        }

        var authzid = message[..first];
        var authcid = afterFirst[..second];
        var passwd = afterFirst[(second + 1)..];
        if (authcid.IsEmpty || passwd.IsEmpty || passwd.IndexOf((byte)0) >= 0)
        {
            return null;
        }

        try
        {
            return new PlainMessage(StrictUtf8.GetString(authzid), StrictUtf8.GetString(authcid), StrictUtf8.GetString(passwd));
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
