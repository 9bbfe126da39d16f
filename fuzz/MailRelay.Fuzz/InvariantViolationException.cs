namespace MailRelay.Fuzz;

/// <summary>A parser broke a property it promises (as opposed to refusing bad input, which is fine).</summary>
internal sealed class InvariantViolationException : Exception
{
    public InvariantViolationException()
    {
    }

    public InvariantViolationException(string message)
        : base(message)
    {
    }

    public InvariantViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
