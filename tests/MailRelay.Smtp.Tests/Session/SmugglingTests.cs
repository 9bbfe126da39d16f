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

        // A bare CR is refused under both policies, a bare LF only under Reject; anything else is content.
        var refused = HasBareCr(fakeEnd) || (policy == BareNewlinePolicy.Reject && HasBareLf(fakeEnd));
        Assert.Single(handler.MailFroms);
        Assert.Equal(["victim@example.net"], handler.RecipientsOffered);
        Assert.Equal(2, replies.Count);
        Assert.Equal(refused ? 550 : 250, replies[0].Code);
        Assert.Equal(221, replies[1].Code);
        Assert.Equal(refused ? 0 : 1, handler.Completed.Count());
        if (!refused)
        {
            // The "commands" after the fake end are just content of the one message.
            var accepted = handler.Completed.Single();
            Assert.Contains("MAIL FROM:<ceo@example.org>", accepted.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", accepted.Text.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    private static bool HasBareCr(string text) =>
        text.Select((c, i) => c == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')).Any(bare => bare);

    private static bool HasBareLf(string text) =>
        text.Select((c, i) => c == '\n' && (i == 0 || text[i - 1] != '\r')).Any(bare => bare);
}
