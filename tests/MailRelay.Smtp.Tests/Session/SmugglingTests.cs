using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Tests.Session;

/// <summary>The end-of-data variants from the 2023 SMTP smuggling research, in both bare-newline modes.</summary>
public class SmugglingTests
{
    public static TheoryData<string, BareNewlinePolicy> Variants()
    {
        string[] ends =
        [
            "\n.\n", "\n.\r\n", "\r.\r", "\r\n.\r", "\r\n.\n", "\r.\r\n", "\r\n\0.\r\n", "\r\n.\0\r\n", "\n\0.\n",
            "\r\n \r\n.\n", "\r\n.\r\r\n", "\r\r\n.\r\r\n", "\n\n.\n\n",
        ];
        var data = new TheoryData<string, BareNewlinePolicy>();
        foreach (var end in ends)
        {
            data.Add(end, BareNewlinePolicy.Reject);
            data.Add(end, BareNewlinePolicy.Normalize);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task A_fake_end_of_data_never_starts_a_second_transaction(string fakeEnd, BareNewlinePolicy policy)
    {
        var handler = new RecordingSessionHandler();
        var options = new SmtpServerOptions { HostName = "mx.test", BareNewline = policy };
        await using var connection = await SmtpTestConnection.StartGreetedAsync(options, handler);
        await connection.EnvelopeAsync("sender@example.org", "victim@example.net");
        Assert.Equal(354, (await connection.CommandAsync("DATA")).Code);

        await connection.SendAsync(
            "Subject: first\r\n\r\nhello" + fakeEnd +
            "MAIL FROM:<ceo@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\nQUIT\r\n");
        var replies = await connection.ReadAllRepliesAsync();

        Assert.Single(handler.MailFroms);
        Assert.True(handler.Completed.Count() <= 1);
        Assert.Equal(["victim@example.net"], handler.RecipientsOffered);
        Assert.Equal(2, replies.Count);
        Assert.Contains(replies[0].Code, new[] { 250, 550 });
        Assert.Equal(221, replies[1].Code);
        // Accepted only when nothing in it breaks the rules; then the "commands" are just content.
        if (handler.Completed.SingleOrDefault() is { } accepted)
        {
            Assert.Contains("MAIL FROM:<ceo@example.org>", accepted.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", accepted.Text.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }
}
