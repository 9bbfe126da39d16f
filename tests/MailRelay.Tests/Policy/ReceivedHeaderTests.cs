using System.Net;
using MailRelay.Policy;
using MailRelay.Smtp.Session;

namespace MailRelay.Tests.Policy;

public class ReceivedHeaderTests
{
    private static readonly DateTimeOffset When = new(2026, 11, 25, 11, 6, 9, TimeSpan.Zero);

    private static SessionContext Session(string address) =>
        new("c1", new IPEndPoint(IPAddress.Parse(address), 40000), new IPEndPoint(IPAddress.Loopback, 25));

    [Fact]
    public void Names_client_helo_host_queue_id_single_recipient_and_date()
    {
        var transaction = new MailTransaction("app@ours.example");
        transaction.Recipients.Add("someone@elsewhere.example");

        var header = ReceivedHeader.Build(Session("192.0.2.10"), transaction, "relay.example", "ABC123", When);

        Assert.Equal(
            "Received: from unknown (unknown [192.0.2.10])\r\n\tby relay.example (MailRelay) with SMTP id ABC123\r\n"
            + "\tfor <someone@elsewhere.example>; Wed, 25 Nov 2026 11:06:09 +0000\r\n",
            header);
    }

    [Fact]
    public void Hiding_the_client_leaves_out_the_from_clause()
    {
        var session = SessionWith(extended: true, secure: true, authenticated: false, helo: "app-7d9f.internal");
        var transaction = new MailTransaction("app@ours.example");
        transaction.Recipients.Add("someone@elsewhere.example");

        var header = ReceivedHeader.Build(session, transaction, "relay.example", "ABC123", When, hideClient: true);

        Assert.Equal(
            "Received: by relay.example (MailRelay) with ESMTPS id ABC123\r\n"
            + "\tfor <someone@elsewhere.example>; Wed, 25 Nov 2026 11:06:09 +0000\r\n",
            header);
    }

    [Fact]
    public void Several_recipients_are_not_disclosed_and_ipv6_is_an_address_literal()
    {
        var transaction = new MailTransaction("app@ours.example");
        transaction.Recipients.Add("a@x.example");
        transaction.Recipients.Add("b@y.example");

        var header = ReceivedHeader.Build(Session("2001:db8::7"), transaction, "relay.example", "ID", When);

        Assert.Contains("[IPv6:2001:db8::7]", header, StringComparison.Ordinal);
        Assert.DoesNotContain("for <", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv4_mapped_clients_are_shown_as_ipv4()
    {
        var header = ReceivedHeader.Build(Session("::ffff:198.51.100.4"), new MailTransaction(""), "relay.example", "ID", When);

        Assert.Contains("(unknown [198.51.100.4])", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Date_keeps_the_offset_in_rfc5322_form()
    {
        Assert.Equal("Sun, 1 Mar 2026 08:00:00 -0530", ReceivedHeader.FormatDate(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.FromMinutes(-330))));
    }

    [Theory]
    [InlineData(false, false, false, false, "SMTP")]
    [InlineData(true, false, false, false, "ESMTP")]
    [InlineData(true, true, false, false, "ESMTPS")]
    [InlineData(true, false, true, false, "ESMTPA")]
    [InlineData(true, true, true, false, "ESMTPSA")]
    [InlineData(true, false, false, true, "UTF8SMTP")]
    [InlineData(true, true, true, true, "UTF8SMTPSA")]
    public void Protocol_keyword_follows_rfc3848_and_rfc6531(bool extended, bool secure, bool authenticated, bool utf8, string expected)
    {
        var session = SessionWith(extended, secure, authenticated);
        var transaction = new MailTransaction("a@b.example") { SmtpUtf8 = utf8 };

        Assert.Equal(expected, ReceivedHeader.Protocol(session, transaction));
    }

    [Fact]
    public void Helo_text_cannot_break_out_of_the_header()
    {
        var session = SessionWith(extended: true, secure: false, authenticated: false, helo: "evil\r\nBcc: x@y (z) ; \u00e9");

        var header = ReceivedHeader.Build(session, new MailTransaction(""), "relay.example", "ID", When);

        Assert.StartsWith("Received: from evil??Bcc:?x@y??z????? (unknown", header, StringComparison.Ordinal);
        Assert.Equal(3, header.Split("\r\n").Length);
    }

    private static SessionContext SessionWith(bool extended, bool secure, bool authenticated, string helo = "client.example")
    {
        var session = Session("192.0.2.1");
        session.HeloName = helo;
        session.IsExtended = extended;
        session.IsSecure = secure;
        session.AuthenticatedUser = authenticated ? "user" : null;
        return session;
    }
}
