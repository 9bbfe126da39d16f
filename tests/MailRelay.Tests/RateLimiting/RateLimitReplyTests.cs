using MailRelay.RateLimiting;
using MailRelay.Smtp.Protocol;

namespace MailRelay.Tests.RateLimiting;

public sealed class RateLimitReplyTests
{
    [Theory]
    [InlineData(421, "4.7.0", "Try again later, closing connection.")]
    [InlineData(421, null, "Service not available")]
    [InlineData(450, "4.7.28", "Our system has detected an unusual rate of unsolicited mail")]
    [InlineData(451, "4.7.500", "Server busy. Please try again later")]
    [InlineData(450, null, "Too many messages from your IP")]
    [InlineData(452, null, "Rate limit exceeded")]
    [InlineData(451, null, "Sender throttled")]
    [InlineData(451, null, "ratelimit hit")]
    public void Replies_that_say_slow_down_are_rate_limits(int code, string? enhanced, string text)
    {
        Assert.True(RateLimitReply.IsRateLimit(code, enhanced, text));
    }

    [Theory]
    [InlineData(452, "4.2.2", "Mailbox full")]
    [InlineData(450, "4.2.0", "Greylisted, please retry in 5 minutes")]
    [InlineData(451, "4.3.0", "Temporary local problem")]
    [InlineData(550, "5.7.1", "Rate limit: message refused")]
    [InlineData(552, "5.5.3", "Too many recipients")]
    [InlineData(250, "2.0.0", "Ok")]
    public void Other_replies_are_not_rate_limits(int code, string? enhanced, string text)
    {
        Assert.False(RateLimitReply.IsRateLimit(code, enhanced, text));
    }

    [Fact]
    public void Multi_line_replies_are_searched_in_every_line()
    {
        var reply = new SmtpReply(450, "4.7.0", "Message deferred.", "You are being THROTTLED for a while.");

        Assert.True(RateLimitReply.IsRateLimit(reply));
    }
}
