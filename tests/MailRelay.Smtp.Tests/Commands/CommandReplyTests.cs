using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;
using MailRelay.Smtp.Tests.Session;

namespace MailRelay.Smtp.Tests.Commands;

public class CommandReplyTests
{
    [Fact]
    public async Task Greeting_and_EHLO_advertise_the_extensions_without_enhanced_codes()
    {
        await using var connection = SmtpTestConnection.Start(new SmtpServerOptions { HostName = "mx.test", MaxMessageSize = 12345 });
        var greeting = await connection.ReadReplyAsync();
        Assert.Equal("220 mx.test ESMTP MailRelay", greeting.Text);

        var ehlo = await connection.CommandAsync("EHLO client.example");

        Assert.Equal(
            ["250-mx.test Hello client.example", "250-PIPELINING", "250-SIZE 12345", "250-8BITMIME", "250-ENHANCEDSTATUSCODES",
             "250-SMTPUTF8", "250-CHUNKING", "250 DSN"],
            ehlo.Lines);
    }

    [Theory]
    [InlineData("FOO", 500, "5.5.2")]
    [InlineData("", 500, "5.5.2")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2", 500, "5.5.2")]
    [InlineData("EXPN staff", 502, "5.5.1")]
    [InlineData("TURN", 502, "5.5.1")]
    [InlineData("ETRN example.org", 502, "5.5.1")]
    [InlineData("AUTH PLAIN AGhpAHNlY3JldA==", 502, "5.5.1")]
    [InlineData("STARTTLS", 502, "5.5.1")]
    [InlineData("MAIL FROM:<a@example.org>", 503, "5.5.1")]
    [InlineData("RCPT TO:<a@example.org>", 503, "5.5.1")]
    [InlineData("DATA", 503, "5.5.1")]
    [InlineData("VRFY postmaster", 252, "2.5.0")]
    [InlineData("VRFY", 501, "5.5.4")]
    [InlineData("HELP", 214, "2.0.0")]
    [InlineData("NOOP whatever", 250, "2.0.0")]
    [InlineData("RSET", 250, "2.0.0")]
    [InlineData("RSET now", 501, "5.5.4")]
    [InlineData("EHLO", 501, "5.5.4")]
    [InlineData("HELO", 501, "5.5.4")]
    [InlineData("QUIT now", 501, "5.5.4")]
    public async Task Commands_before_a_transaction_get_the_exact_codes(string line, int code, string enhanced)
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync();
        // A PROXY line is only refused as a header when it is the first line; afterwards it is an unknown verb.
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);

        var reply = await connection.CommandAsync(line);

        Assert.Equal((code, enhanced), (reply.Code, reply.EnhancedCode));
    }

    [Theory]
    [InlineData("MAIL FROM:<a@example.org>", 503, "5.5.1")]
    [InlineData("RCPT TO:<b@example.org>", 250, "2.1.5")]
    [InlineData("RCPT TO:<postmaster>", 250, "2.1.5")]
    [InlineData("RCPT TO:<Postmaster>", 250, "2.1.5")]
    [InlineData("RCPT TO: <b@example.org>", 250, "2.1.5")]
    [InlineData("RCPT TO:<b@[192.0.2.1]>", 250, "2.1.5")]
    [InlineData("RCPT TO:<b@[IPv6:2001:db8::1]>", 250, "2.1.5")]
    [InlineData("RCPT TO:<@relay.example,@other.example:b@example.org>", 250, "2.1.5")]
    [InlineData("RCPT TO:<\"john smith\"@example.org>", 250, "2.1.5")]
    [InlineData("RCPT TO:<>", 501, "5.1.3")]
    [InlineData("RCPT TO:b@example.org", 501, "5.1.3")]
    [InlineData("RCPT TO:<b@-bad.example>", 501, "5.1.3")]
    [InlineData("RCPT TO:<b@[300.1.1.1]>", 501, "5.1.3")]
    [InlineData("RCPT TO:<b..c@example.org>", 501, "5.1.3")]
    [InlineData("RCPT TO:<b@example.org", 501, "5.1.3")]
    [InlineData("RCPT TO:<b@exa mple.org>", 501, "5.1.3")]
    [InlineData("RCPT TO:<jörg@example.org>", 553, "5.6.7")]
    [InlineData("RCPT FROM:<b@example.org>", 501, "5.5.4")]
    [InlineData("RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.org", 250, "2.1.5")]
    [InlineData("RCPT TO:<b@example.org> NOTIFY=NEVER,SUCCESS", 501, "5.5.4")]
    [InlineData("RCPT TO:<b@example.org> ORCPT=nosemicolon", 501, "5.5.4")]
    [InlineData("RCPT TO:<b@example.org> FOO=BAR", 555, "5.5.4")]
    [InlineData("DATA now", 503, "5.5.1")]
    public async Task Commands_inside_a_transaction_get_the_exact_codes(string line, int code, string enhanced)
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync();
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);
        Assert.Equal(250, (await connection.CommandAsync("MAIL FROM:<a@example.org>")).Code);

        var reply = await connection.CommandAsync(line);

        Assert.Equal((code, enhanced), (reply.Code, reply.EnhancedCode));
    }

    [Theory]
    [InlineData("MAIL FROM:<a@example.org>", 250, "2.1.0")]
    [InlineData("MAIL FROM:<>", 250, "2.1.0")]
    [InlineData("MAIL FROM: <a@example.org>", 250, "2.1.0")]
    [InlineData("mail from:<a@example.org>", 250, "2.1.0")]
    [InlineData("MAIL FROM:<a@example.org> SIZE=1000 BODY=8BITMIME", 250, "2.1.0")]
    [InlineData("MAIL FROM:<a@example.org> BODY=7BIT ENVID=abc+2Bdef RET=HDRS", 250, "2.1.0")]
    [InlineData("MAIL FROM:<jörg@exämple.org> SMTPUTF8", 250, "2.1.0")]
    [InlineData("MAIL FROM:<jörg@example.org>", 553, "5.6.7")]
    [InlineData("MAIL FROM:<a@example.org> SIZE=1000001", 552, "5.3.4")]
    [InlineData("MAIL FROM:<a@example.org> SIZE=abc", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.org> SIZE", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.org> BODY=BINARYMIME", 504, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.org> RET=ALL", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.org> SMTPUTF8=yes", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.org> SIZE=1 SIZE=2", 501, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.org> AUTH=<>", 555, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.org> XFOO", 555, "5.5.4")]
    [InlineData("MAIL FROM:<a@example.org>SIZE=1", 501, "5.1.7")]
    [InlineData("MAIL FROM:a@example.org", 501, "5.1.7")]
    [InlineData("MAIL FROM:<a@>", 501, "5.1.7")]
    [InlineData("MAIL FROM:<@example.org>", 501, "5.1.7")]
    [InlineData("MAIL FROM:<a@example..org>", 501, "5.1.7")]
    [InlineData("MAIL FROM:<a@[1.2.3]>", 501, "5.1.7")]
    [InlineData("MAIL FROM:<a@[IPv6:zz::1]>", 501, "5.1.7")]
    [InlineData("MAIL FROM", 501, "5.5.4")]
    [InlineData("RCPT TO:<b@example.org>", 503, "5.5.1")]
    [InlineData("DATA", 503, "5.5.1")]
    [InlineData("BDAT 0 LAST", 503, "5.5.1")]
    public async Task MAIL_after_EHLO_gets_the_exact_codes(string line, int code, string enhanced)
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync(new SmtpServerOptions { HostName = "mx.test", MaxMessageSize = 1_000_000 });
        Assert.Equal(250, (await connection.CommandAsync("EHLO client.example")).Code);

        var reply = await connection.CommandAsync(line);

        Assert.Equal((code, enhanced), (reply.Code, reply.EnhancedCode));
    }

    [Theory]
    [InlineData("MAIL FROM:<a@example.org> SIZE=100")]
    [InlineData("MAIL FROM:<a@example.org> BODY=8BITMIME")]
    [InlineData("MAIL FROM:<a@example.org> SMTPUTF8")]
    public async Task Extension_parameters_after_HELO_get_555(string line)
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync();
        var helo = await connection.CommandAsync("HELO client.example");
        Assert.Equal("250 mx.test", helo.Text);

        var reply = await connection.CommandAsync(line);

        Assert.Equal((555, "5.5.4"), (reply.Code, reply.EnhancedCode));
        Assert.Equal((250, "2.1.0"), ((await connection.CommandAsync("MAIL FROM:<a@example.org>")).Code, "2.1.0"));
    }

    [Fact]
    public async Task BDAT_after_HELO_is_not_offered_and_its_chunk_is_still_consumed()
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync();
        await connection.CommandAsync("HELO client.example");
        await connection.CommandAsync("MAIL FROM:<a@example.org>");
        await connection.CommandAsync("RCPT TO:<b@example.org>");

        await connection.SendAsync("BDAT 12 LAST\r\nQUIT\r\nQUIT\r\n");
        var reply = await connection.ReadReplyAsync();

        Assert.Equal((502, "5.5.1"), (reply.Code, reply.EnhancedCode));
        Assert.Equal(250, (await connection.CommandAsync("NOOP")).Code);
    }

    [Fact]
    public async Task Sender_and_recipients_reach_the_handler_without_brackets_and_with_parameters()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.CommandAsync("EHLO client.example");
        await connection.CommandAsync("MAIL FROM:<jörg@exämple.org> SMTPUTF8 SIZE=42 BODY=8BITMIME ENVID=id1 RET=FULL");
        await connection.CommandAsync("RCPT TO:<@hop.example:zoë@example.net>");
        await connection.CommandAsync("RCPT TO:<\"a b\"@example.net>");

        var mail = Assert.Single(handler.MailFroms);
        Assert.Equal("jörg@exämple.org", mail.ReversePath);
        Assert.True(mail.SmtpUtf8);
        Assert.Equal(42, mail.DeclaredSize);
        Assert.Equal(BodyType.EightBitMime, mail.Body);
        Assert.Equal("id1", mail.EnvelopeId);
        Assert.Equal("FULL", mail.Return);
        Assert.Equal(["zoë@example.net", "\"a b\"@example.net"], handler.RecipientsOffered);
        Assert.Equal(["zoë@example.net", "\"a b\"@example.net"], mail.Recipients);
    }

    [Fact]
    public async Task NOTIFY_and_ORCPT_are_kept_per_accepted_recipient()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.CommandAsync("EHLO client.example");
        await connection.CommandAsync("MAIL FROM:<a@example.org>");
        await connection.CommandAsync("RCPT TO:<b@example.net> NOTIFY=success,Delay ORCPT=rfc822;b+2Bold@example.net");
        await connection.CommandAsync("RCPT TO:<c@example.net> NOTIFY=NEVER");
        await connection.CommandAsync("RCPT TO:<d@example.net>");

        var mail = Assert.Single(handler.MailFroms);
        Assert.Equal(new RecipientDsnRequest("SUCCESS,DELAY", "rfc822;b+2Bold@example.net"), mail.DsnRequests["b@example.net"]);
        Assert.Equal(new RecipientDsnRequest("NEVER", null), mail.DsnRequests["c@example.net"]);
        Assert.False(mail.DsnRequests.ContainsKey("d@example.net"));
    }

    [Fact]
    public async Task Null_sender_is_passed_as_empty()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.CommandAsync("EHLO client.example");

        Assert.Equal(250, (await connection.CommandAsync("MAIL FROM:<>")).Code);

        Assert.Equal(string.Empty, Assert.Single(handler.MailFroms).ReversePath);
    }

    [Fact]
    public async Task DATA_when_every_recipient_was_refused_gets_554()
    {
        var handler = new RecordingSessionHandler { RecipientPolicy = _ => new SmtpReply(554, "5.7.1", "Relay access denied") };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);
        await connection.CommandAsync("EHLO client.example");
        await connection.CommandAsync("MAIL FROM:<a@example.org>");
        var rcpt = await connection.CommandAsync("RCPT TO:<b@elsewhere.example>");
        Assert.Equal((554, "5.7.1"), (rcpt.Code, rcpt.EnhancedCode));

        var data = await connection.CommandAsync("DATA");

        Assert.Equal((554, "5.5.1"), (data.Code, data.EnhancedCode));
        Assert.Empty(handler.Messages);
    }

    [Fact]
    public async Task EHLO_and_RSET_reset_the_transaction()
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync();
        await connection.EnvelopeAsync();

        Assert.Equal(250, (await connection.CommandAsync("RSET")).Code);
        Assert.Equal(503, (await connection.CommandAsync("RCPT TO:<b@example.org>")).Code);
        Assert.Equal(250, (await connection.CommandAsync("MAIL FROM:<a@example.org>")).Code);
        Assert.Equal(250, (await connection.CommandAsync("EHLO again.example")).Code);
        Assert.Equal(503, (await connection.CommandAsync("DATA")).Code);
        Assert.Equal(250, (await connection.CommandAsync("MAIL FROM:<a@example.org>")).Code);
    }

    [Fact]
    public async Task QUIT_gets_221_and_ends_the_session_with_one_summary()
    {
        var handler = new RecordingSessionHandler();
        await using var connection = await SmtpTestConnection.StartGreetedAsync(handler: handler);

        var reply = await connection.CommandAsync("QUIT");

        Assert.Equal((221, "2.0.0"), (reply.Code, reply.EnhancedCode));
        Assert.Null(await connection.TryReadReplyAsync());
        var summary = await connection.Completion;
        Assert.Equal(SessionOutcome.Quit, summary.Outcome);
        Assert.Equal(1, summary.Commands);
        Assert.Same(summary, Assert.Single(handler.Summaries));
        Assert.Equal([SessionOutcome.Quit], connection.Events.Ended);
        Assert.Equal(["QUIT"], connection.Events.Commands);
    }

    [Fact]
    public async Task A_refusal_from_OnConnect_replaces_the_greeting()
    {
        var handler = new RecordingSessionHandler { ConnectReply = new SmtpReply(554, "5.7.1", "Go away") { ClosesConnection = true } };
        await using var connection = SmtpTestConnection.Start(handler: handler);

        var replies = await connection.ReadAllRepliesAsync();

        Assert.Equal(["554 5.7.1 Go away"], replies.Select(r => r.Text));
        Assert.Equal(SessionOutcome.Refused, (await connection.Completion).Outcome);
    }

    [Fact]
    public async Task Every_reply_except_greeting_and_EHLO_carries_an_enhanced_code()
    {
        await using var connection = await SmtpTestConnection.StartGreetedAsync();
        string[] script =
        [
            "NOOP", "HELP", "VRFY x", "FOO", "MAIL FROM:<a@example.org>", "EHLO c.example", "MAIL FROM:<a@example.org>",
            "RCPT TO:<b@example.org>", "RCPT TO:<bad>", "RSET", "EXPN x",
        ];
        foreach (var line in script)
        {
            var reply = await connection.CommandAsync(line);
            if (!line.StartsWith("EHLO", StringComparison.Ordinal))
            {
                Assert.NotNull(reply.EnhancedCode);
                Assert.Equal(reply.Code / 100, reply.EnhancedCode![0] - '0');
            }
        }
    }

    [Fact]
    public async Task Events_report_verbs_replies_and_message_outcomes()
    {
        var options = new SmtpServerOptions { HostName = "mx.test", MaxMessageSize = 10 };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options);
        await connection.EnvelopeAsync();
        await connection.CommandAsync("DATA");
        await connection.SendAsync("short\r\n.\r\n");
        await connection.ReadReplyAsync();
        await connection.CommandAsync("MAIL FROM:<a@example.org>");
        await connection.CommandAsync("RCPT TO:<b@example.org>");
        await connection.CommandAsync("DATA");
        await connection.SendAsync("far too long for the limit\r\n.\r\n");
        await connection.ReadReplyAsync();
        await connection.CommandAsync("xyzzy");
        await connection.CommandAsync("QUIT");
        await connection.Completion;

        Assert.Equal(1, connection.Events.Started);
        Assert.Equal(["EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA", "UNKNOWN", "QUIT"], connection.Events.Commands);
        Assert.Equal([220, 250, 250, 250, 354, 250, 250, 250, 354, 552, 500, 221], connection.Events.Replies);
        Assert.Equal([7L], connection.Events.Accepted);
        Assert.Equal([552], connection.Events.Refused);
        Assert.Equal([SessionOutcome.Quit], connection.Events.Ended);
    }
}
