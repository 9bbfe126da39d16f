using System.Net;
using MailRelay.Authentication;
using MailRelay.Smtp.Session;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace MailRelay.Tests.Authentication;

public sealed class SmtpAuthenticatorTests : IDisposable
{
    private const int TestIterations = 1000;

    private readonly LevelRecordingLogger _logger = new();
    private readonly AuthMetrics _metrics = new(Metrics.NewCustomRegistry());
    private readonly SessionContext _session = new("session-1", new IPEndPoint(IPAddress.Parse("127.0.0.9"), 40000), null);
    private IReadOnlyDictionary<string, UserSecret> _users;
    private readonly SmtpAuthenticator _authenticator;

    public SmtpAuthenticatorTests()
    {
        _users = Users(("alice", PasswordHash.Create("alice-pw", TestIterations)), ("bob", new PlainSecret("bob-pw")));
        _authenticator = Create(SmtpAuthenticator.DefaultCacheCapacity);
    }

    public void Dispose() => _authenticator.Dispose();

    [Fact]
    public async Task The_right_password_succeeds_and_is_counted()
    {
        Assert.True(await AuthenticateAsync("alice", "alice-pw"));

        Assert.Equal(1, _metrics.Count(AuthMetrics.Success));
        Assert.Equal(0, _metrics.Count(AuthMetrics.Failure));
    }

    [Fact]
    public async Task A_wrong_password_fails_and_is_counted()
    {
        Assert.False(await AuthenticateAsync("alice", "alice-PW"));

        Assert.Equal(0, _metrics.Count(AuthMetrics.Success));
        Assert.Equal(1, _metrics.Count(AuthMetrics.Failure));
    }

    [Fact]
    public async Task A_plain_secret_user_authenticates_with_its_password_only()
    {
        Assert.False(await AuthenticateAsync("bob", "alice-pw"));
        Assert.True(await AuthenticateAsync("bob", "bob-pw"));
    }

    [Fact]
    public async Task An_unknown_user_fails_after_spending_a_derivation_like_a_known_one()
    {
        Assert.False(await AuthenticateAsync("mallory", "alice-pw"));
        Assert.Equal(1, _authenticator.Derivations);

        Assert.False(await AuthenticateAsync("alice", "wrong"));
        Assert.Equal(2, _authenticator.Derivations);
    }

    [Fact]
    public async Task A_plain_secret_check_spends_a_derivation_too()
    {
        Assert.False(await AuthenticateAsync("bob", "wrong"));

        Assert.Equal(1, _authenticator.Derivations);
    }

    [Fact]
    public async Task A_repeated_correct_login_does_not_derive_again()
    {
        Assert.True(await AuthenticateAsync("alice", "alice-pw"));
        Assert.Equal(1, _authenticator.Derivations);

        Assert.True(await AuthenticateAsync("alice", "alice-pw"));
        Assert.True(await AuthenticateAsync("alice", "alice-pw"));

        Assert.Equal(1, _authenticator.Derivations);
        Assert.Equal(3, _metrics.Count(AuthMetrics.Success));
    }

    [Fact]
    public async Task A_wrong_password_after_a_remembered_success_fails()
    {
        Assert.True(await AuthenticateAsync("alice", "alice-pw"));

        Assert.False(await AuthenticateAsync("alice", "alice-pw2"));
        Assert.Equal(2, _authenticator.Derivations);
        Assert.True(await AuthenticateAsync("alice", "alice-pw"));
        Assert.Equal(2, _authenticator.Derivations);
    }

    [Fact]
    public async Task A_remembered_password_stops_working_when_the_users_file_changes_it()
    {
        Assert.True(await AuthenticateAsync("alice", "alice-pw"));

        _users = Users(("alice", PasswordHash.Create("new-pw", TestIterations)));

        Assert.False(await AuthenticateAsync("alice", "alice-pw"));
        Assert.True(await AuthenticateAsync("alice", "new-pw"));
    }

    [Fact]
    public async Task A_user_removed_from_the_file_cannot_log_in_with_a_remembered_password()
    {
        Assert.True(await AuthenticateAsync("alice", "alice-pw"));

        _users = Users(("bob", new PlainSecret("bob-pw")));

        Assert.False(await AuthenticateAsync("alice", "alice-pw"));
    }

    [Fact]
    public async Task The_least_recently_used_login_is_forgotten_beyond_the_capacity()
    {
        using var small = Create(cacheCapacity: 1);
        Assert.True(await small.AuthenticateAsync(_session, "alice", "alice-pw", CancellationToken.None));
        Assert.True(await small.AuthenticateAsync(_session, "bob", "bob-pw", CancellationToken.None));
        Assert.Equal(2, small.Derivations);

        Assert.True(await small.AuthenticateAsync(_session, "bob", "bob-pw", CancellationToken.None));
        Assert.Equal(2, small.Derivations);
        Assert.True(await small.AuthenticateAsync(_session, "alice", "alice-pw", CancellationToken.None));
        Assert.Equal(3, small.Derivations);
    }

    [Fact]
    public async Task Success_logs_at_debug_and_failure_at_warning_with_user_and_client_but_never_the_password()
    {
        await AuthenticateAsync("alice", "alice-pw");
        await AuthenticateAsync("alice", "bad-secret-x");
        await AuthenticateAsync("mallory", "bad-secret-y");

        var events = _logger.Events;
        Assert.Equal(3, events.Count);
        Assert.Equal(LogLevel.Debug, events[0].Level);
        Assert.Contains("succeeded for alice from 127.0.0.9", events[0].Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Warning, events[1].Level);
        Assert.Contains("failed for alice from 127.0.0.9", events[1].Message, StringComparison.Ordinal);
        Assert.EndsWith("wrong password", events[1].Message, StringComparison.Ordinal);
        Assert.EndsWith("unknown user", events[2].Message, StringComparison.Ordinal);
        Assert.All(events, e =>
        {
            Assert.DoesNotContain("alice-pw", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("bad-secret", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_user_name_with_a_line_break_cannot_forge_a_log_line()
    {
        await AuthenticateAsync("eve\r\nSMTP AUTH succeeded for admin", "x");

        var message = Assert.Single(_logger.Events).Message;
        Assert.DoesNotContain('\n', message);
        Assert.Contains("eve\\u000d\\u000aSMTP", message, StringComparison.Ordinal);
    }

    private ValueTask<bool> AuthenticateAsync(string user, string password) =>
        _authenticator.AuthenticateAsync(_session, user, password, CancellationToken.None);

    private SmtpAuthenticator Create(int cacheCapacity) =>
        new(() => _users, _metrics, _logger, TestIterations, cacheCapacity);

    private static Dictionary<string, UserSecret> Users(params (string Name, UserSecret Secret)[] users) =>
        users.ToDictionary(u => u.Name, u => u.Secret, StringComparer.Ordinal);
}
