using System.Net;

namespace MailRelay.Inbound;

/// <summary>One message received for the feedback addresses, as it lies in DATA_DIR/inbound/.incoming until processed.</summary>
/// <param name="Id">Our id for it (in the Received: header, the logs and a kept file's name).</param>
/// <param name="Path">The file holding the content exactly as received.</param>
/// <param name="ClientAddress">The client's real address.</param>
/// <param name="HeloName">The EHLO/HELO argument.</param>
/// <param name="Sender">The envelope sender (empty for the null sender).</param>
/// <param name="Recipients">The accepted recipients, every one a feedback address.</param>
/// <param name="ArrivalTime">When DATA began.</param>
/// <param name="SmtpUtf8">Whether the client asked for SMTPUTF8.</param>
/// <param name="EightBit">Whether the content holds any byte above 127.</param>
/// <param name="ContentHash">SHA-256 of the content (hex): the same message sent again gives the same event ids.</param>
/// <param name="TraceHeader">Our <c>Received:</c> field, CRLF-terminated, put on what is kept or forwarded.</param>
public sealed record InboundMessage(
    string Id,
    string Path,
    IPAddress? ClientAddress,
    string? HeloName,
    string Sender,
    IReadOnlyList<string> Recipients,
    DateTimeOffset ArrivalTime,
    bool SmtpUtf8,
    bool EightBit,
    string ContentHash,
    string TraceHeader);
