namespace MailRelay.Configuration.Syntax;

/// <summary>
/// Parses one variable's text. On failure <paramref name="error"/> says what is wrong (without the variable's
/// name) and <paramref name="value"/> is not to be used.
/// </summary>
public delegate bool ValueParser<T>(string text, out T value, out string error);
