using System.Collections.Concurrent;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

/// <summary>Accepts the user/password pairs it was given and records every attempt it was asked about.</summary>
public sealed class TestAuthenticator : ISmtpAuthenticator
{
    private readonly Dictionary<string, string> passwords;

    public TestAuthenticator(params (string UserName, string Password)[] users)
    {
        passwords = users.ToDictionary(u => u.UserName, u => u.Password, StringComparer.Ordinal);
    }

    public ConcurrentQueue<(string UserName, string Password)> Attempts { get; } = new();

    /// <summary>Whether each call's token could be cancelled (it is the session's, not CancellationToken.None).</summary>
    public ConcurrentQueue<bool> TokensCancellable { get; } = new();

    /// <summary>When set, every call throws it (a user store that is down).</summary>
    public Exception? Failure { get; set; }

    public static SmtpServerOptions Options(TestAuthenticator authenticator, bool requireTls = false) =>
        new() { HostName = "mx.test", Authenticator = authenticator, AuthRequiresTls = requireTls };

    public ValueTask<bool> AuthenticateAsync(SessionContext session, string userName, string password, CancellationToken cancellationToken)
    {
        Attempts.Enqueue((userName, password));
        TokensCancellable.Enqueue(cancellationToken.CanBeCanceled);
        if (Failure is not null)
        {
            throw Failure;
        }

        return ValueTask.FromResult(passwords.TryGetValue(userName, out var expected) && expected == password);
    }
}
