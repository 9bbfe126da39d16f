namespace MailRelay.Tests.Support;

/// <summary>A TSIG key that <see cref="BindServer"/> accepts for updates; its secret is made afresh for each run.</summary>
public sealed record BindKey(string Name, string Algorithm, byte[] Secret)
{
    /// <summary>The secret as named.conf and tsig-keygen write it.</summary>
    public string SecretBase64 => Convert.ToBase64String(Secret);

    /// <summary>For <c>nsupdate -y</c> and <c>dig -y</c>.</summary>
    public string ToolArgument => $"{Algorithm}:{Name}:{SecretBase64}";

    public override string ToString() => $"{Name} ({Algorithm})";
}
