namespace MailRelay.Smtp.Tests.Session;

/// <summary>One reply as the client saw it.</summary>
public sealed record TestReply(int Code, string? EnhancedCode, IReadOnlyList<string> Lines)
{
    public string Text => string.Join("\n", Lines);

    public override string ToString() => Text;
}
