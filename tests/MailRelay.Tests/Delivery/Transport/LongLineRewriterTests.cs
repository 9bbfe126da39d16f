using System.Text;
using MailRelay.Delivery.Transport;
using MimeKit;

namespace MailRelay.Tests.Delivery.Transport;

public sealed class LongLineRewriterTests
{
    private static readonly string LongText = "Straße, naïve café. " + string.Concat(Enumerable.Repeat("Grüße aus Köln ", 200)) + "end\r\nsecond line\r\n";

    [Fact]
    public async Task A_plain_message_without_MIME_headers_becomes_quoted_printable_with_the_same_text()
    {
        var stored = "From: app@example.com\r\nTo: a@example.net\r\nSubject: plain\r\n\r\n" + new string('a', 2000) + "\r\nbye\r\n";

        var rewritten = await RewriteAsync(Encoding.ASCII.GetBytes(stored));

        Assert.False(LineLimit.HasLongLine(rewritten));
        var message = MimeMessage.Load(new MemoryStream(rewritten));
        Assert.Equal("1.0", message.Headers[HeaderId.MimeVersion]);
        Assert.Equal(ContentEncoding.QuotedPrintable, ((TextPart)message.Body!).ContentTransferEncoding);
        Assert.Equal(Encoding.ASCII.GetBytes(new string('a', 2000) + "\r\nbye\r\n"), Decoded((MimePart)message.Body));
    }

    [Fact]
    public async Task In_a_multipart_message_only_the_long_text_part_is_re_encoded_and_every_part_decodes_the_same()
    {
        var original = new MimeMessage();
        original.From.Add(MailboxAddress.Parse("app@example.com"));
        original.To.Add(MailboxAddress.Parse("a@example.net"));
        original.Subject = "Grüße";
        var text = new TextPart("plain") { Text = LongText, ContentTransferEncoding = ContentEncoding.EightBit };
        var shortHtml = new TextPart("html") { Text = "<p>short</p>\r\n", ContentTransferEncoding = ContentEncoding.SevenBit };
        var attachment = new MimePart("application", "octet-stream")
        {
            Content = new MimeContent(new MemoryStream(Enumerable.Range(0, 5000).Select(i => (byte)(i % 251)).ToArray())),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = "data.bin",
        };
        original.Body = new Multipart("mixed") { text, shortHtml, attachment };
        var stored = Serialize(original);
        Assert.True(LineLimit.HasLongLine(stored));

        var rewritten = await RewriteAsync(stored);

        Assert.False(LineLimit.HasLongLine(rewritten));
        var parts = MimeMessage.Load(new MemoryStream(rewritten)).BodyParts.OfType<MimePart>().ToList();
        Assert.Equal(ContentEncoding.QuotedPrintable, parts[0].ContentTransferEncoding);
        Assert.Equal(Decoded(text), Decoded(parts[0]));
        Assert.Equal(Encoding.UTF8.GetBytes(LongText), Decoded(parts[0]));
        Assert.Equal(ContentEncoding.SevenBit, parts[1].ContentTransferEncoding);
        Assert.Equal(Decoded(shortHtml), Decoded(parts[1]));
        Assert.Equal(Decoded(attachment), Decoded(parts[2]));
    }

    [Fact]
    public async Task An_over_long_header_is_folded_and_keeps_its_value()
    {
        var subject = string.Join(' ', Enumerable.Range(0, 300).Select(i => "w" + i));
        var stored = "From: app@example.com\r\nSubject: " + subject + "\r\n\r\nshort body\r\n";

        var rewritten = await RewriteAsync(Encoding.ASCII.GetBytes(stored));

        Assert.False(LineLimit.HasLongLine(rewritten));
        var message = MimeMessage.Load(new MemoryStream(rewritten));
        Assert.Equal(subject, message.Subject);
        Assert.Equal("short body\r\n"u8.ToArray(), Decoded((MimePart)message.Body!));
    }

    private static async Task<byte[]> RewriteAsync(byte[] stored) =>
        await LongLineRewriter.RewriteAsync(new MemoryStream(stored), CancellationToken.None);

    private static byte[] Serialize(MimeMessage message)
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        using var output = new MemoryStream();
        message.WriteTo(options, output);
        return output.ToArray();
    }

    private static byte[] Decoded(MimePart part)
    {
        using var output = new MemoryStream();
        part.Content!.DecodeTo(output);
        return output.ToArray();
    }
}
