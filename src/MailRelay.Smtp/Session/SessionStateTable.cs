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
