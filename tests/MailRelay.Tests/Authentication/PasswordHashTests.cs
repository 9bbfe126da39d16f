using MailRelay.Authentication;

namespace MailRelay.Tests.Authentication;

public class PasswordHashTests
{
    /// <summary>Made by Python's hashlib.pbkdf2_hmac('sha256', ..., bytes(range(16)), 1000, 32): an independent implementation.</summary>
    private const string IndependentVector = "{PBKDF2-SHA256}1000$AAECAwQFBgcICQoLDA0ODw==$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4=";

    [Fact]
    public void A_created_secret_round_trips_through_its_text_and_verifies_only_its_password()
    {
        var text = PasswordHash.Create("s3cret pass", 1000).Format();

        Assert.True(PasswordHash.TryParse(text, out var secret, out var error), error);
        Assert.True(secret!.Matches("s3cret pass"));
        Assert.False(secret.Matches("s3cret pasS"));
        Assert.False(secret.Matches("s3cret pass "));
        Assert.False(secret.Matches(string.Empty));
    }

    [Fact]
    public void The_default_secret_has_210000_iterations_a_16_byte_salt_and_a_32_byte_hash()
    {
        var text = PasswordHash.Create("pw").Format();

        Assert.StartsWith("{PBKDF2-SHA256}210000$", text, StringComparison.Ordinal);
        var parts = text["{PBKDF2-SHA256}".Length..].Split('$');
        Assert.Equal(16, Convert.FromBase64String(parts[1]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[2]).Length);
    }

    [Fact]
    public void The_same_password_gets_a_new_salt_each_time()
    {
        Assert.NotEqual(PasswordHash.Create("pw", 1000).Format(), PasswordHash.Create("pw", 1000).Format());
    }

    [Fact]
    public void A_secret_made_by_another_pbkdf2_implementation_verifies()
    {
        Assert.True(PasswordHash.TryParse(IndependentVector, out var secret, out var error), error);

        Assert.True(secret!.Matches("correct horse battery staple"));
        Assert.False(secret.Matches("correct horse battery stapler"));
    }

    [Fact]
    public void A_plain_secret_matches_exactly_its_password()
    {
        Assert.True(PasswordHash.TryParse("{PLAIN}Pass:word", out var secret, out var error), error);

        Assert.IsType<PlainSecret>(secret);
        Assert.True(secret!.Matches("Pass:word"));
        Assert.False(secret.Matches("pass:word"));
        Assert.False(secret.Matches("Pass:wor"));
    }

    [Fact]
    public void A_secret_never_prints_itself()
    {
        Assert.True(PasswordHash.TryParse("{PLAIN}hunter2", out var secret, out _));

        Assert.DoesNotContain("hunter2", secret!.ToString(), StringComparison.Ordinal);
    }
}
