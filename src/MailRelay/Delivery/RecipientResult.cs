using System.Net;

namespace MailRelay.Delivery;

/// <summary>The outcome of one attempt for one recipient, with where it went and what was said.</summary>
public sealed record RecipientResult(
    string Recipient,
    RecipientOutcome Outcome,
    RemoteReply Reply,
    string? RemoteHost,
    IPEndPoint? RemoteEndPoint);
