using MailRelay.Smtp.Session;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Smtp.Tests.Session;

public class TimeoutTests
{
    [Fact]
    public async Task An_idle_client_gets_421_after_the_command_timeout()
    {
        var time = new FakeTimeProvider();
        var options = new SmtpServerOptions { HostName = "mx.test", CommandTimeout = TimeSpan.FromMinutes(5) };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, time: time);

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
        time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal("421 4.4.2 mx.test Error: timeout exceeded", (await connection.ReadReplyAsync()).Text);
        Assert.Null(await connection.TryReadReplyAsync());
        Assert.Equal(SessionOutcome.CommandTimeout, (await connection.Completion).Outcome);
    }

    [Fact]
    public async Task A_stalled_DATA_gets_421_after_the_data_timeout_and_the_message_is_aborted()
    {
        var time = new FakeTimeProvider();
        var handler = new RecordingSessionHandler();
        var options = new SmtpServerOptions { HostName = "mx.test", DataTimeout = TimeSpan.FromMinutes(3), MinDataRate = 0 };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, handler, time);
        await connection.EnvelopeAsync();
        Assert.Equal(354, (await connection.CommandAsync("DATA")).Code);

        time.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal("421 4.4.2 mx.test Error: timeout exceeded", (await connection.ReadReplyAsync()).Text);
        Assert.Equal(SessionOutcome.DataTimeout, (await connection.Completion).Outcome);
        Assert.True(handler.Messages.Single().Aborted);
    }

    [Fact]
    public async Task A_client_below_the_minimum_data_rate_after_the_grace_period_gets_421()
    {
        var time = new FakeTimeProvider();
        var handler = new RecordingSessionHandler();
        var options = new SmtpServerOptions
        {
            HostName = "mx.test",
            DataTimeout = TimeSpan.FromHours(1),
            MinDataRate = 1000,
            MinDataRateGracePeriod = TimeSpan.FromSeconds(10),
        };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, handler, time);
        await connection.EnvelopeAsync();
        Assert.Equal(354, (await connection.CommandAsync("DATA")).Code);
        await connection.SendAsync(new string('x', 100));
        await handler.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(30));

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(421, (await connection.ReadReplyAsync()).Code);
        Assert.Equal(SessionOutcome.DataRateTooLow, (await connection.Completion).Outcome);
    }

    [Fact]
    public async Task A_client_above_the_minimum_data_rate_is_not_cut_off_by_any_session_timer()
    {
        var time = new FakeTimeProvider();
        var handler = new RecordingSessionHandler();
        var options = new SmtpServerOptions
        {
            HostName = "mx.test",
            DataTimeout = TimeSpan.FromMinutes(3),
            MinDataRate = 10,
            MinDataRateGracePeriod = TimeSpan.FromSeconds(10),
        };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, handler, time);
        await connection.EnvelopeAsync();
        Assert.Equal(354, (await connection.CommandAsync("DATA")).Code);
        await connection.SendAsync(new string('x', 2000));
        await handler.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // 2000 octets at 10 octets/s earn 200 s; each read stays under the 3-minute idle timeout.
        time.Advance(TimeSpan.FromSeconds(150));
        await connection.SendAsync("\r\n.\r\n");

        Assert.Equal(250, (await connection.ReadReplyAsync()).Code);
        time.Advance(options.CommandTimeout);
        Assert.Equal(421, (await connection.ReadReplyAsync()).Code);
        Assert.Equal(SessionOutcome.CommandTimeout, (await connection.Completion).Outcome);
    }
}
