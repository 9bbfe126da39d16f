using System.Text;
using MailRelay.Events;

namespace MailRelay.Tests.Events;

/// <summary>The Message-ID and client id of a message, as delivery events carry them.</summary>
public sealed class MessageCorrelationTests
{
    [Fact]
    public void The_fields_are_found_in_any_case_unfolded_and_only_in_the_header_section()
    {
        var message = Encoding.UTF8.GetBytes(
            "Subject: x\r\nmessage-id:\r\n <abc@example.com>\r\nX-MESSAGE-ID:  order 1\r\n\tpart 2 \r\nX-Message-ID: second\r\n\r\nX-Other: body\r\n");

        var found = MessageCorrelation.Parse(message, "X-Message-ID");
        Assert.Equal("abc@example.com", found.MessageId);
        Assert.Equal("order 1\tpart 2", found.ClientId);

        var other = MessageCorrelation.Parse(message, "X-Other");
        Assert.Null(other.ClientId);
    }

    [Fact]
    public void A_message_without_the_fields_has_neither_and_a_long_value_is_cut()
    {
        Assert.Equal(MessageCorrelation.None, MessageCorrelation.Parse("Subject: x\n\nbody\n"u8, "X-Message-ID"));
        var longValue = new string('v', 5000);
        var found = MessageCorrelation.Parse(Encoding.ASCII.GetBytes($"X-Message-ID: {longValue}\r\n\r\n"), "X-Message-ID");
        Assert.Equal(MessageCorrelation.MaxValueLength, found.ClientId!.Length);
    }
}
