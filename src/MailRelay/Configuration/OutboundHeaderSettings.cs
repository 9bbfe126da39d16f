namespace MailRelay.Configuration;

/// <summary>Header hygiene: OUTBOUND_HIDE_CLIENT and OUTBOUND_STRIP_HEADERS.</summary>
/// <param name="HideClient">Our Received: header leaves out the client's address and HELO name.</param>
/// <param name="StripHeaders">Header field names removed from every message before it is stored (so before signing).</param>
public sealed record OutboundHeaderSettings(bool HideClient, IReadOnlyList<string> StripHeaders);
