namespace MailRelay.Configuration.Syntax;

/// <summary>Lists: comma-separated, each entry trimmed, empty entries ignored.</summary>
public static class ListSyntax
{
    public static IReadOnlyList<string> Split(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
