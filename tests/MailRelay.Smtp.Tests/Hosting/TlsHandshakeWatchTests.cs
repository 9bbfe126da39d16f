using System.IO.Pipelines;
using MailRelay.Smtp.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Smtp.Tests.Hosting;

/// <summary>
/// The watch around Kestrel's implicit-TLS handshake; here a delegate stands in for UseHttps: it either passes
/// the connection on (handshake done) or returns after some time without doing so (handshake cut or failed).
/// </summary>
public class TlsHandshakeWatchTests
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_connection_that_never_got_past_the_handshake_within_the_timeout_is_reported()
    {
        var (time, watch, timedOut) = Watch();
        var pipeline = watch.Outer(_ =>
        {
            time.Advance(HandshakeTimeout);
            return Task.CompletedTask;
        });

        await pipeline(Connection());

        Assert.Equal(1, timedOut());
    }

    [Fact]
    public async Task A_handshake_that_failed_early_is_not_reported_as_timed_out()
    {
        var (time, watch, timedOut) = Watch();
        var pipeline = watch.Outer(_ =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return Task.CompletedTask;
        });

        await pipeline(Connection());

        Assert.Equal(0, timedOut());
    }

    [Fact]
    public async Task A_session_that_got_past_the_handshake_is_never_reported_however_long_it_lasts()
    {
        var (time, watch, timedOut) = Watch();
        var session = watch.Inner(_ =>
        {
            time.Advance(TimeSpan.FromHours(1));
            return Task.CompletedTask;
        });
        var pipeline = watch.Outer(session);

        await pipeline(Connection());

        Assert.Equal(0, timedOut());
    }

    private static (FakeTimeProvider Time, TlsHandshakeWatch Watch, Func<int> TimedOut) Watch()
    {
        var time = new FakeTimeProvider();
        var watch = new TlsHandshakeWatch(HandshakeTimeout, time);
        var count = 0;
        watch.HandshakeTimedOut += (_, _) => count++;
        return (time, watch, () => count);
    }

    private static DefaultConnectionContext Connection()
    {
        var pipe = new Pipe();
        var duplex = new DuplexPipe(pipe.Reader, pipe.Writer);
        return new DefaultConnectionContext("watched", duplex, duplex);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
