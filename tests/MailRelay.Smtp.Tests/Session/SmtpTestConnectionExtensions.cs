namespace MailRelay.Smtp.Tests.Session;

public static class SmtpTestConnectionExtensions
{
    /// <summary>Sends raw text (its own line ends) and reads one reply.</summary>
    public static async Task<TestReply> SendAndRead(this SmtpTestConnection connection, string raw)
    {
        await connection.SendAsync(raw);
        return await connection.ReadReplyAsync();
    }
}
