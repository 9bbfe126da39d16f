namespace MailRelay.Smtp.Commands;

/// <summary>
/// The EHLO/HELO argument check: one token of printable characters. Real clients send all kinds of
/// names here (bare host names, literals without brackets), so only the shape is checked.
/// </summary>
public static class HelloName
{
    public static bool IsAcceptable(string name) =>
        name.Length > 0 && name.All(c => c > ' ' && c != 127 && !char.IsControl(c));
}
