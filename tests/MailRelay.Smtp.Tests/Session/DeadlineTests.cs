using System.Text;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

/// <summary>
/// Deadlines that a client trickling bytes cannot stretch: the command line counted from its first byte, the
/// whole AUTH exchange, the whole session. Each step sends bytes, waits until the session has taken them in
/// (a new timer), then moves the fake clock.
/// </summary>
public class DeadlineTests
{
    private const string TimeoutReply = "421 4.4.2 mx.test Error: timeout exceeded";
    private const string SessionLimitReply = "421 4.4.2 mx.test Error: session time limit exceeded";

    [Fact]
    public async Task A_command_line_trickled_within_the_idle_timeout_is_cut_when_its_deadline_passes()
    {
        var time = new TimerCountingTimeProvider();
        var options = new SmtpServerOptions { HostName = "mx.test", CommandTimeout = TimeSpan.FromMinutes(5) };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, time: time);

        // Each gap is well under the 5-minute idle timeout; together they pass the line's deadline.
        await TrickleAsync(connection, time, "N", TimeSpan.FromMinutes(2));
        await TrickleAsync(connection, time, "O", TimeSpan.FromMinutes(2));
        await TrickleAsync(connection, time, "O", TimeSpan.FromMinutes(1));

        Assert.Equal(TimeoutReply, (await connection.ReadReplyAsync()).Text);
        Assert.Null(await connection.TryReadReplyAsync());
        Assert.Equal(SessionOutcome.CommandTimeout, (await connection.Completion).Outcome);
        Assert.Empty(connection.Events.Commands);
    }

    [Fact]
    public async Task The_line_deadline_counts_from_the_first_byte_not_from_the_previous_reply()
    {
        var time = new TimerCountingTimeProvider();
        var options = new SmtpServerOptions { HostName = "mx.test", CommandTimeout = TimeSpan.FromMinutes(5) };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, time: time);

        // Four idle minutes before the first byte, then four more for the rest of the line: 8 minutes in all.
        time.Advance(TimeSpan.FromMinutes(4));
        await TrickleAsync(connection, time, "NO", TimeSpan.FromMinutes(4));

        Assert.Equal(250, (await connection.CommandAsync("OP")).Code);
    }

    [Fact]
    public async Task An_over_long_line_being_discarded_is_bound_by_the_same_deadline()
    {
        var time = new TimerCountingTimeProvider();
        var options = new SmtpServerOptions { HostName = "mx.test", CommandTimeout = TimeSpan.FromMinutes(5) };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, time: time);

        await TrickleAsync(connection, time, new string('x', options.MaxCommandLineLength + 10), TimeSpan.FromMinutes(3));
        await TrickleAsync(connection, time, "yyy", TimeSpan.FromMinutes(2));

        Assert.Equal(TimeoutReply, (await connection.ReadReplyAsync()).Text);
        Assert.Equal(SessionOutcome.CommandTimeout, (await connection.Completion).Outcome);
    }

    [Fact]
    public async Task An_AUTH_exchange_answered_slowly_is_cut_when_the_whole_exchange_outlasts_the_command_timeout()
    {
        var time = new TimerCountingTimeProvider();
        var authenticator = new TestAuthenticator(("alice", "secret"));
        var options = TestAuthenticator.Options(authenticator);
        options.CommandTimeout = TimeSpan.FromMinutes(5);
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, time: time);
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);

        Assert.Equal(334, (await connection.CommandAsync("AUTH LOGIN")).Code);
        time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(334, (await connection.CommandAsync(SaslText.Base64("alice"))).Code);
        time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(TimeoutReply, (await connection.ReadReplyAsync()).Text);
        Assert.Equal(SessionOutcome.AuthTimeout, (await connection.Completion).Outcome);
        Assert.Empty(authenticator.Attempts);
    }

    [Fact]
    public async Task An_AUTH_exchange_within_the_command_timeout_authenticates()
    {
        var time = new TimerCountingTimeProvider();
        var authenticator = new TestAuthenticator(("alice", "secret"));
        var options = TestAuthenticator.Options(authenticator);
        options.CommandTimeout = TimeSpan.FromMinutes(5);
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, time: time);
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);

        Assert.Equal(334, (await connection.CommandAsync("AUTH LOGIN")).Code);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(334, (await connection.CommandAsync(SaslText.Base64("alice"))).Code);
        time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(235, (await connection.CommandAsync(SaslText.Base64("secret"))).Code);
        Assert.Equal("alice", connection.Context.AuthenticatedUser);
    }

    [Fact]
    public async Task A_busy_session_gets_421_at_the_first_command_boundary_after_its_time_limit()
    {
        var time = new TimerCountingTimeProvider();
        var options = new SmtpServerOptions { HostName = "mx.test", CommandTimeout = TimeSpan.FromMinutes(5), MaxSessionDuration = TimeSpan.FromMinutes(10) };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, time: time);

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
        time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(SessionLimitReply, (await connection.ReadReplyAsync()).Text);
        Assert.Null(await connection.TryReadReplyAsync());
        Assert.Equal(SessionOutcome.SessionTimeout, (await connection.Completion).Outcome);
    }

    [Fact]
    public async Task A_line_still_arriving_when_the_time_limit_passes_is_cut()
    {
        var time = new TimerCountingTimeProvider();
        var options = new SmtpServerOptions { HostName = "mx.test", CommandTimeout = TimeSpan.FromMinutes(5), MaxSessionDuration = TimeSpan.FromMinutes(10) };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, time: time);
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
        time.Advance(TimeSpan.FromMinutes(1));

        // The line's own deadline would be 5 minutes away; the session's comes first.
        await TrickleAsync(connection, time, "NO", TimeSpan.FromMinutes(1));

        Assert.Equal(SessionLimitReply, (await connection.ReadReplyAsync()).Text);
        Assert.Equal(SessionOutcome.SessionTimeout, (await connection.Completion).Outcome);
    }

    [Fact]
    public async Task A_message_arriving_above_the_minimum_rate_is_finished_and_accepted_before_the_time_limit_closes_the_session()
    {
        var time = new TimerCountingTimeProvider();
        var handler = new RecordingSessionHandler();
        var options = new SmtpServerOptions
        {
            HostName = "mx.test",
            MaxSessionDuration = TimeSpan.FromMinutes(1),
            DataTimeout = TimeSpan.FromMinutes(3),
            MinDataRate = 10,
            MinDataRateGracePeriod = TimeSpan.FromSeconds(10),
        };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, handler, time);
        await connection.EnvelopeAsync();
        Assert.Equal(354, (await connection.CommandAsync("DATA")).Code);
        await connection.SendAsync(new string('x', 2000));
        await handler.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // 2000 octets at 10 octets/s earn 200 s: the transfer is within its rate when the session limit passes.
        time.Advance(TimeSpan.FromSeconds(150));
        await connection.SendAsync("\r\n.\r\n");

        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);
        Assert.Equal(SessionLimitReply, (await connection.ReadReplyAsync()).Text);
        Assert.Equal(SessionOutcome.SessionTimeout, (await connection.Completion).Outcome);
        var message = Assert.Single(handler.Completed);
        Assert.Equal(2002, message.Text.Length);
    }

    /// <summary>Sends <paramref name="bytes"/>, waits until the session has read them and armed its next timer, then lets <paramref name="gap"/> pass.</summary>
    private static async Task TrickleAsync(SmtpTestConnection connection, TimerCountingTimeProvider time, string bytes, TimeSpan gap)
    {
        var timers = time.TimersCreated;
        await connection.SendAsync(Encoding.ASCII.GetBytes(bytes));
        await time.WaitForTimersAsync(timers + 1);
        time.Advance(gap);
    }
}
