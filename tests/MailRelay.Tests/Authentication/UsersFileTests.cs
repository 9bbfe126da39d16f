using MailRelay.Authentication;

namespace MailRelay.Tests.Authentication;

public class UsersFileTests
{
    private const string Hashed = "{PBKDF2-SHA256}1000$AAECAwQFBgcICQoLDA0ODw==$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4=";

    [Fact]
    public void Both_schemes_parse_and_comments_and_blank_lines_are_ignored()
    {
        var load = UsersFile.Parse(
            "# applications\r\n" +
            "\r\n" +
            "billing:" + Hashed + "\r\n" +
            "   # indented comment\n" +
            "   \n" +
            "monitoring:{PLAIN}a:b c\n");

        Assert.True(load.IsValid, string.Join(" | ", load.Errors));
        Assert.Equal(["billing", "monitoring"], load.Users.Keys.Order());
        Assert.True(load.Users["billing"].Matches("correct horse battery staple"));
        Assert.True(load.Users["monitoring"].Matches("a:b c"));
    }

    [Fact]
    public void A_byte_order_mark_is_not_part_of_the_first_user_name()
    {
        var load = UsersFile.Parse([.. System.Text.Encoding.UTF8.Preamble, .. "alice:{PLAIN}pw\n"u8]);

        Assert.True(load.IsValid, string.Join(" | ", load.Errors));
        Assert.True(load.Users.ContainsKey("alice"));
    }

    [Fact]
    public void User_names_are_case_sensitive()
    {
        var load = UsersFile.Parse("alice:{PLAIN}one\nAlice:{PLAIN}two\n");

        Assert.True(load.IsValid, string.Join(" | ", load.Errors));
        Assert.Equal(2, load.Users.Count);
    }

    /// <summary>A bad line, its expected problem, and the secret text that must never appear in the error.</summary>
    public static TheoryData<string, string, string> BadLines => new()
    {
        { "carol", "no ':'", "carol" },
        { ":{PLAIN}hunter2", "user name is empty", "hunter2" },
        { "car\u0001ol:{PLAIN}hunter2", "control characters", "hunter2" },
        { " carol:{PLAIN}hunter2", "blanks around it", "hunter2" },
        { "team:carol:{PLAIN}hunter2", "does not start with {PBKDF2-SHA256} or {PLAIN}", "hunter2" },
        { "carol:{SHA512}hunter2", "does not start with {PBKDF2-SHA256} or {PLAIN}", "hunter2" },
        { "carol:hunter2", "does not start with {PBKDF2-SHA256} or {PLAIN}", "hunter2" },
        { "carol:", "the secret is empty", "carol:" },
        { "carol:{PLAIN}", "password is empty", "{PLAIN}\n" },
        { "carol:{PLAIN}hunter\u00072", "control characters", "hunter" },
        { "carol:{PBKDF2-SHA256}1000$AAECAwQFBgcICQoLDA0ODw==", "iterations$salt$hash", "AAECAwQFBgcICQoLDA0ODw==" },
        { "carol:{PBKDF2-SHA256}999$AAECAwQFBgcICQoLDA0ODw==$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4=", "iteration count", "ppsXnjrdPB4K" },
        { "carol:{PBKDF2-SHA256}many$AAECAwQFBgcICQoLDA0ODw==$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4=", "iteration count", "ppsXnjrdPB4K" },
        { "carol:{PBKDF2-SHA256}1000$not*base64$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4=", "salt", "ppsXnjrdPB4K" },
        { "carol:{PBKDF2-SHA256}1000$AAECAwQFBgcICQoLDA0ODw==$c2hvcnQ=", "hash", "c2hvcnQ=" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void A_bad_line_is_an_error_naming_its_line_and_never_the_secret(string badLine, string problem, string secretText)
    {
        var load = UsersFile.Parse("# users\nalice:{PLAIN}fine\n" + badLine + "\n");

        Assert.False(load.IsValid);
        Assert.Empty(load.Users);
        var error = Assert.Single(load.Errors);
        Assert.StartsWith("line 3: ", error, StringComparison.Ordinal);
        Assert.Contains(problem, error, StringComparison.Ordinal);
        Assert.DoesNotContain(secretText, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_defined_twice_names_both_lines()
    {
        var load = UsersFile.Parse("alice:{PLAIN}one\n\nalice:{PLAIN}two\n");

        var error = Assert.Single(load.Errors);
        Assert.Equal("line 3: the user 'alice' is already defined on line 1.", error);
    }

    [Fact]
    public void Every_bad_line_is_reported_together()
    {
        var load = UsersFile.Parse("a\nb:{PLAIN}ok\nc:secret\n:{PLAIN}x\n");

        Assert.Equal(["line 1", "line 3", "line 4"], load.Errors.Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]));
    }

    [Fact]
    public void An_unreadable_file_is_one_error_naming_the_path()
    {
        var load = UsersFile.Read("/nonexistent/users");

        var error = Assert.Single(load.Errors);
        Assert.StartsWith("cannot read '/nonexistent/users'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_file_is_refused()
    {
        using var directory = new Configuration.TemporaryDirectory();
        var path = Path.Combine(directory.Path, "users");
        File.WriteAllBytes(path, new byte[UsersFile.MaxBytes + 1]);

        var error = Assert.Single(UsersFile.Read(path).Errors);
        Assert.Contains("larger than", error, StringComparison.Ordinal);
    }
}
