namespace MailRelay.Authentication;

/// <summary>
/// The outcome of reading the users file: the users, or every problem found (each naming its line, never a secret).
/// </summary>
/// <param name="Users">User name → secret; empty when <see cref="Errors"/> is not.</param>
/// <param name="Errors">One message per problem, such as <c>line 3: the user name is empty.</c></param>
public sealed record UsersFileLoad(IReadOnlyDictionary<string, UserSecret> Users, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
