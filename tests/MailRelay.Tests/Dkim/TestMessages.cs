using System.Text;

namespace MailRelay.Tests.Dkim;

/// <summary>Raw RFC 5322 messages (CRLF) of the kinds the signer must handle.</summary>
internal static class TestMessages
{
    public static readonly IReadOnlyDictionary<string, byte[]> ByName = new Dictionary<string, byte[]>
    {
        ["plain"] = Plain(),
        ["8bit"] = EightBit(),
        ["long-lines"] = LongLines(),
        ["multipart"] = Multipart(),
        ["smtputf8"] = SmtpUtf8(),
        ["folded-headers"] = FoldedHeaders(),
        ["whitespace"] = Whitespace(),
        ["headers-only"] = Bytes("From: a@example.com\r\nTo: b@example.net\r\nSubject: nothing below\r\n"),
    };

    public static byte[] Plain(string from = "Alice <alice@example.com>", string extraHeaders = "") => Bytes(
        $"From: {from}\r\nTo: bob@example.net\r\nSubject: Hello\r\nDate: Wed, 25 Nov 2026 12:00:00 +0000\r\n" +
        $"Message-ID: <1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n{extraHeaders}\r\n" +
        "Hello Bob,\r\n\r\nsee you.\r\n");

    private static byte[] EightBit() => Bytes(
        "From: alice@example.com\r\nTo: bob@example.net\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nMIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
        "Grüße aus Köln, ça va? Ελληνικά 日本語\r\n\u00e9t\u00e9\r\n");

    private static byte[] LongLines() => Bytes(
        "From: alice@example.com\r\nTo: bob@example.net\r\nSubject: long\r\n\r\n" +
        new string('x', 3000) + "\r\nshort\r\n" + string.Concat(Enumerable.Repeat("word ", 400)) + "\r\n");

    private static byte[] Multipart() => Bytes(
        "From: alice@example.com\r\nTo: bob@example.net\r\nSubject: report\r\nMIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n" +
        "This is a multi-part message in MIME format.\r\n--outer\r\n" +
        "Content-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n" +
        "--inner\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nPlain ünïcode text\r\n" +
        "--inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML</p>\r\n--inner--\r\n" +
        "--outer\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n" +
        "Content-Disposition: attachment; filename=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
        Convert.ToBase64String(Enumerable.Range(0, 3000).Select(i => (byte)(i * 7)).ToArray(), Base64FormattingOptions.InsertLineBreaks) +
        "\r\n--outer--\r\nepilogue\r\n");

    private static byte[] SmtpUtf8() => Bytes(
        "From: \"Jörg Müller\" <jörg@example.com>\r\nTo: 用户@example.net\r\nSubject: Grüße — ünïcödé in the raw header\r\n" +
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nHallo Jörg\r\n");

    private static byte[] FoldedHeaders() => Bytes(
        "From: Alice\r\n  <alice@example.com>\r\nTo: bob@example.net,\r\n\tcarol@example.net,\r\n  dave@example.net\r\n" +
        "Subject: a subject that is\r\n\tfolded   over \r\n   three lines  \r\nReferences: <a@example.com>\r\n <b@example.com>\r\n\r\nbody\r\n");

    private static byte[] Whitespace() => Bytes(
        "From: alice@example.com\r\nTo: bob@example.net\r\nSubject: spaces\r\n\r\n" +
        "\r\n\r\nleading blank lines,   runs \t of whitespace   \r\n \t \r\nand trailing empty lines\r\n\r\n\r\n");

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Concat(byte[] first, byte[] second) => [.. first, .. second];
}
