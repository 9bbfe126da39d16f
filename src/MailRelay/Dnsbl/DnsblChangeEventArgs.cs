namespace MailRelay.Dnsbl;

/// <summary>A target went onto a list (<see cref="Listed"/> true) or came off it.</summary>
/// <param name="result">The check that saw the change, with the answer and the list's reason.</param>
public sealed class DnsblChangeEventArgs(DnsblResult result, DateTimeOffset at) : EventArgs
{
    public DnsblResult Result { get; } = result;

    public bool Listed => Result.State == DnsblState.Listed;

    public DateTimeOffset At { get; } = at;
}
