namespace MailRelay.Tests.Configuration;

public class UnknownVariableDetectorTests
{
    [Theory]
    [InlineData("SMTP_LISTENER", "SMTP_LISTENERS")]
    [InlineData("DKIM_KEYSIZE", "DKIM_KEY_SIZE")]
    [InlineData("RELAY_PASWORD", "RELAY_PASSWORD")]
    [InlineData("TRUSTED_NETWORK", "TRUSTED_NETWORKS")]
    public void Misspelt_variables_give_a_warning_naming_the_likely_intent(string misspelt, string meant)
    {
        var result = TestEnvironment.Load((misspelt, "1"));

        var warning = Assert.Single(result.Warnings);
        Assert.Equal(misspelt, warning.Variable);
        Assert.Contains($"did you mean {meant}?", warning.Message, StringComparison.Ordinal);
        Assert.True(result.IsValid);
    }

    [Theory]
    [InlineData("PATH")]
    [InlineData("HOME")]
    [InlineData("MAIL_RELAY_SERVICE_HOST")]
    [InlineData("SMTP_SERVICE_PORT_SMTP")]
    [InlineData("DOTNET_RUNNING_IN_CONTAINER")]
    [InlineData("LOG_DIRECTORY_ROOT")]
    public void Unrelated_variables_are_ignored(string name)
    {
        var result = TestEnvironment.Load((name, "x"));

        Assert.Empty(result.Warnings);
        Assert.True(result.IsValid);
    }

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "abd", 1)]
    [InlineData("DKIM_KEYSIZE", "DKIM_KEY_SIZE", 1)]
    [InlineData("kitten", "sitting", 3)]
    public void Edit_distance_counts_single_character_edits(string a, string b, int expected)
    {
        Assert.Equal(expected, MailRelay.Configuration.UnknownVariableDetector.EditDistance(a, b));
    }
}
