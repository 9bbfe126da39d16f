namespace MailRelay.Handoff;

/// <summary>How a handoff went: messages now the peer's, and messages (or parts) still here.</summary>
/// <param name="Remaining">Queue files left in DATA_DIR: whole, with recipients the peer did not take, or unreadable.</param>
/// <param name="Problem">Why the handoff stopped early (deadline, broken connection); null when it went through the queue.</param>
public sealed record HandoffResult(int HandedOver, int Remaining, string? Problem)
{
    public bool Complete => Remaining == 0 && Problem is null;
}
