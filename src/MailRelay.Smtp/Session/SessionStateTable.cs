using MailRelay.Smtp.Protocol;

namespace MailRelay.Smtp.Session;

/// <summary>
/// The declarative state table: for each state, the verbs it allows and the guard each must pass.
/// A verb the state does not list gets 503 5.5.1; a failing guard gives its own reply.
/// </summary>
public sealed class SessionStateTable
{
    private readonly Dictionary<SessionState, Dictionary<string, Func<SmtpSession, SmtpReply?>>> rules = [];

    public SessionStateTable()
    {
        string[] anytime = ["EHLO", "HELO", "RSET", "NOOP", "QUIT", "VRFY", "HELP"];
        Allow(SessionState.Connected, anytime);
        Allow(SessionState.Connected, "STARTTLS", StartTlsAvailable);

        Allow(SessionState.Greeted, anytime);
        Allow(SessionState.Greeted, "STARTTLS", StartTlsAvailable);
        Allow(SessionState.Greeted, "MAIL");

        Allow(SessionState.InTransaction, anytime);
        Allow(SessionState.InTransaction, "RCPT");
        Allow(SessionState.InTransaction, "DATA", RecipientGiven);
        Allow(SessionState.InTransaction, "BDAT", ChunkingAvailable);

        Allow(SessionState.ReceivingChunks, "EHLO", "HELO", "RSET", "NOOP", "QUIT");
        Allow(SessionState.ReceivingChunks, "BDAT", ChunkingAvailable);

        // AUTH is listed everywhere so that a server without an authenticator answers 502 in every state.
        foreach (var state in Enum.GetValues<SessionState>())
        {
            Allow(state, "AUTH", AuthAllowed);
        }
    }

    /// <summary>Null when <paramref name="verb"/> may run now, else the refusal.</summary>
    public SmtpReply? Check(SmtpSession session, string verb)
    {
        if (!rules[session.State].TryGetValue(verb, out var guard))
        {
            return SmtpReplies.BadSequence(SequenceHint(session.State, verb));
        }

        return guard(session);
    }

    private static SmtpReply? Always(SmtpSession session) => null;

    private static SmtpReply? StartTlsAvailable(SmtpSession session)
    {
        if (session.Options.Certificate is null)
        {
            return SmtpReplies.NotImplemented();
        }

        return session.Context.IsSecure ? SmtpReplies.BadSequence("Error: TLS already active") : null;
    }

    /// <summary>RFC 4954 §4: after EHLO, outside a transaction, once per session, and inside TLS when required.</summary>
    private static SmtpReply? AuthAllowed(SmtpSession session)
    {
        if (session.Options.Authenticator is null)
        {
            return SmtpReplies.NotImplemented();
        }

        if (session.State is SessionState.InTransaction or SessionState.ReceivingChunks)
        {
            return SmtpReplies.BadSequence("Error: MAIL transaction in progress");
        }

        if (session.State == SessionState.Connected || !session.Context.IsExtended)
        {
            return SmtpReplies.BadSequence("Error: send EHLO first");
        }

        if (session.Context.AuthenticatedUser is not null)
        {
            return SmtpReplies.BadSequence("Already authenticated");
        }

        return session.Options.AuthRequiresTls && !session.Context.IsSecure ? SmtpReplies.AuthEncryptionRequired() : null;
    }

    /// <summary>Whether EHLO lists AUTH: an authenticator exists and the link is encrypted or need not be.</summary>
    public static bool AuthOffered(SmtpSession session) =>
        session.Options.Authenticator is not null && (session.Context.IsSecure || !session.Options.AuthRequiresTls);

    private static SmtpReply? RecipientGiven(SmtpSession session) =>
        session.Transaction is { RecipientAttempts: > 0 } ? null : SmtpReplies.BadSequence("Error: need RCPT command");

    private static SmtpReply? ChunkingAvailable(SmtpSession session)
    {
        if (!session.Context.IsExtended)
        {
            return SmtpReplies.NotImplemented();
        }

        return RecipientGiven(session);
    }

    private static string SequenceHint(SessionState state, string verb) => (state, verb) switch
    {
        (SessionState.Connected, "MAIL") => "Error: send HELO/EHLO first",
        (SessionState.Greeted, "RCPT") => "Error: need MAIL command",
        (SessionState.Greeted, "DATA" or "BDAT") => "Error: need MAIL command",
        (SessionState.InTransaction or SessionState.ReceivingChunks, "MAIL") => "Error: nested MAIL command",
        (SessionState.ReceivingChunks, "DATA") => "Error: DATA cannot follow BDAT in one transaction",
        _ => "Error: bad sequence of commands",
    };

    private void Allow(SessionState state, params string[] verbs)
    {
        foreach (var verb in verbs)
        {
            Allow(state, verb, Always);
        }
    }

    private void Allow(SessionState state, string verb, Func<SmtpSession, SmtpReply?> guard)
    {
        if (!rules.TryGetValue(state, out var verbs))
        {
            verbs = new Dictionary<string, Func<SmtpSession, SmtpReply?>>(StringComparer.Ordinal);
            rules[state] = verbs;
        }

        verbs[verb] = guard;
    }
}
