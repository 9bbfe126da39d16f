using System.Collections.Concurrent;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

/// <summary>A handler that accepts everything (unless told otherwise) and records what the engine passed it.</summary>
public sealed class RecordingSessionHandler : ISmtpSessionHandler
{
    private int queueIds;

    public ConcurrentQueue<MailTransaction> MailFroms { get; } = new();

    public ConcurrentQueue<string> RecipientsOffered { get; } = new();

    /// <summary>The session's authenticated user as the handler saw it at each MAIL FROM ("" when none).</summary>
    public ConcurrentQueue<string> AuthenticatedUsersAtMail { get; } = new();

    public ConcurrentQueue<RecordingMessageWriter> Messages { get; } = new();

    public ConcurrentQueue<SessionSummary> Summaries { get; } = new();

    public ConcurrentQueue<SessionContext> EndedSessions { get; } = new();

    /// <summary>Given to every writer opened: runs while the message is being completed (committed).</summary>
    public Action? WhileCompleting { get; set; }

    /// <summary>Recipients that get this reply instead of acceptance.</summary>
    public Func<string, SmtpReply?> RecipientPolicy { get; set; } = _ => null;

    public SmtpReply? ConnectReply { get; set; }

    /// <summary>When set, OpenMessageAsync throws it (a spool failure).</summary>
    public Exception? OpenFailure { get; set; }

    /// <summary>Completed when a message writer has received at least this many bytes (for rate tests).</summary>
    public TaskCompletionSource<bool> FirstWrite { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when the first session has been reported ended.</summary>
    public TaskCompletionSource<SessionSummary> FirstSessionEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IEnumerable<RecordingMessageWriter> Completed => Messages.Where(m => m.Completed);

    public ValueTask<SmtpReply?> OnConnectAsync(SessionContext session, CancellationToken cancellationToken) => ValueTask.FromResult(ConnectReply);

    public ValueTask<SmtpReply?> OnMailFromAsync(SessionContext session, MailTransaction transaction, CancellationToken cancellationToken)
    {
        MailFroms.Enqueue(transaction);
        AuthenticatedUsersAtMail.Enqueue(session.AuthenticatedUser ?? string.Empty);
        return ValueTask.FromResult<SmtpReply?>(null);
    }

    public ValueTask<SmtpReply?> OnRecipientAsync(SessionContext session, MailTransaction transaction, string recipient, CancellationToken cancellationToken)
    {
        RecipientsOffered.Enqueue(recipient);
        return ValueTask.FromResult(RecipientPolicy(recipient));
    }

    public ValueTask<IMessageWriter> OpenMessageAsync(SessionContext session, MailTransaction transaction, CancellationToken cancellationToken)
    {
        if (OpenFailure is not null)
        {
            throw OpenFailure;
        }

        var writer = new RecordingMessageWriter(transaction, $"Q{Interlocked.Increment(ref queueIds)}", FirstWrite) { Completing = WhileCompleting };
        Messages.Enqueue(writer);
        return ValueTask.FromResult<IMessageWriter>(writer);
    }

    public ValueTask OnSessionEndAsync(SessionContext session, SessionSummary summary)
    {
        EndedSessions.Enqueue(session);
        Summaries.Enqueue(summary);
        FirstSessionEnded.TrySetResult(summary);
        return ValueTask.CompletedTask;
    }
}
