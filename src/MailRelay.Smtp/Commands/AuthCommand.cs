using System.Security.Cryptography;
using System.Text;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>
/// AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms. The state table has already checked
/// the sequence and the TLS requirement. Every well-formed attempt reaches the authenticator and every
/// refusal is the same 535, so replies do not tell whether a user exists. The whole dialogue of one AUTH
/// command must be over within the command timeout, counted from the AUTH line; the answers are not
/// given a fresh timer each, so a client cannot hold the session by answering slowly.
/// </summary>
public sealed class AuthCommand : ISmtpCommand
{
    // "Username:" and "Password:", the prompts LOGIN clients expect.
    private const string LoginUserNamePrompt = "VXNlcm5hbWU6";
    private const string LoginPasswordPrompt = "UGFzc3dvcmQ6";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public string Verb => "AUTH";

    public async ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var authenticator = session.Options.Authenticator ?? throw new InvalidOperationException("AUTH without an authenticator.");
        var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is 0 or > 2)
        {
            return SmtpReplies.SyntaxError("Syntax: AUTH mechanism [initial-response]");
        }

        var mechanism = words[0].ToUpperInvariant();
        var initialResponse = words.Length == 2 ? words[1] : null;
        var deadline = session.Channel.StartExchange(SessionOutcome.AuthTimeout);
        var credentials = mechanism switch
        {
            "PLAIN" => await ReadPlainAsync(session, initialResponse, deadline),
            "LOGIN" => await ReadLoginAsync(session, initialResponse, deadline),
            _ => (SaslCredentials?)null,
        };
        if (credentials is null)
        {
            return SmtpReplies.AuthMechanismUnknown();
        }

        if (credentials.Value.Refusal is { } refusal)
        {
            return refusal;
        }

        var (userName, password) = (credentials.Value.UserName!, credentials.Value.Password!);
        bool valid;
        try
        {
            valid = await authenticator.AuthenticateAsync(session.Context, userName, password, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            SmtpSessionLog.AuthenticatorFailed(session.Logger, session.Context.Id, exception);
            return SmtpReplies.AuthTemporaryFailure();
        }

        if (!valid)
        {
            SmtpSessionLog.AuthFailed(session.Logger, session.Context.Id, mechanism);
            return SmtpReplies.AuthFailed();
        }

        session.Context.AuthenticatedUser = userName;
        SmtpSessionLog.AuthSucceeded(session.Logger, session.Context.Id, mechanism, userName);
        return SmtpReplies.AuthSucceeded();
    }

    private static async ValueTask<SaslCredentials?> ReadPlainAsync(SmtpSession session, string? initialResponse, ReadDeadline deadline)
    {
        var response = initialResponse is null
            ? await SaslExchange.ChallengeAsync(session, string.Empty, deadline)
            : SaslExchange.DecodeInitial(initialResponse);
        if (response.Refusal is { } refusal)
        {
            return SaslCredentials.Refused(refusal);
        }

        var data = response.Data!;
        var message = PlainMessage.Parse(data);
        CryptographicOperations.ZeroMemory(data);
        if (message is null)
        {
            return SaslCredentials.Refused(SmtpReplies.AuthResponseMalformed());
        }

        // No proxy authorisation: acting as another identity would need a policy this server does not have.
        return message.RequestsProxyAuthorization
            ? SaslCredentials.Refused(SmtpReplies.AuthFailed())
            : new SaslCredentials(message.UserName, message.Password, null);
    }

    private static async ValueTask<SaslCredentials?> ReadLoginAsync(SmtpSession session, string? initialResponse, ReadDeadline deadline)
    {
        var userResponse = initialResponse is null
            ? await SaslExchange.ChallengeAsync(session, LoginUserNamePrompt, deadline)
            : SaslExchange.DecodeInitial(initialResponse);
        if (userResponse.Refusal is { } userRefusal)
        {
            return SaslCredentials.Refused(userRefusal);
        }

        var userName = DecodeField(userResponse.Data!);
        if (userName is null)
        {
            return SaslCredentials.Refused(SmtpReplies.AuthResponseMalformed());
        }

        var passwordResponse = await SaslExchange.ChallengeAsync(session, LoginPasswordPrompt, deadline);
        if (passwordResponse.Refusal is { } passwordRefusal)
        {
            return SaslCredentials.Refused(passwordRefusal);
        }

        var password = DecodeField(passwordResponse.Data!);
        return password is null
            ? SaslCredentials.Refused(SmtpReplies.AuthResponseMalformed())
            : new SaslCredentials(userName, password, null);
    }

    /// <summary>A non-empty UTF-8 field without NUL; the decoded bytes are wiped either way.</summary>
    private static string? DecodeField(byte[] data)
    {
        try
        {
            if (data.Length == 0 || data.AsSpan().IndexOf((byte)0) >= 0)
            {
                return null;
            }

            return StrictUtf8.GetString(data);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

}
