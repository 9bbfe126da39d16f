using System.Text.Json;
using System.Text.RegularExpressions;

namespace MailRelay.Tests.Support;

/// <summary>
/// What the README says the two <c>dotnet publish</c> commands make, against what the build makes: the plain
/// publish is framework-dependent and needs exactly the runtimes it names (read from the daemon's own
/// runtimeconfig.json), the single-file command really asks for a self-contained single file, "not trimmed" holds,
/// and the image runs the framework-dependent build on a base image that has those runtimes.
/// </summary>
public sealed partial class PublishClaimsTests
{
    private static readonly string Root = RepositoryRoot.Find();
    private static readonly string Readme = File.ReadAllText(Path.Combine(Root, "README.md"));

    [Fact]
    public void The_plain_publish_is_described_as_framework_dependent_on_the_runtimes_the_build_names()
    {
        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "MailRelay.runtimeconfig.json")));
        var frameworks = runtimeConfig.RootElement.GetProperty("runtimeOptions").GetProperty("frameworks").EnumerateArray()
            .Select(f => f.GetProperty("name").GetString())
            .ToList();
        var claim = Sentence("dotnet publish src/MailRelay -c Release -o out");

        // The default build depends on shared frameworks, so the README must say so and name each of them.
        Assert.NotEmpty(frameworks);
        Assert.Contains("framework-dependent", claim, StringComparison.Ordinal);
        Assert.DoesNotContain("self-contained", claim, StringComparison.OrdinalIgnoreCase);
        var named = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Microsoft.NETCore.App"] = ".NET 10",
            ["Microsoft.AspNetCore.App"] = "ASP.NET Core 10",
        };
        Assert.All(frameworks, framework => Assert.Contains(named[framework!], claim, StringComparison.Ordinal));
    }

    [Fact]
    public void The_single_file_command_asks_for_what_the_README_says_it_makes()
    {
        var command = Regex.Replace(Sentence("--self-contained"), @"\s+", " ");
        var project = File.ReadAllText(Path.Combine(Root, "src", "MailRelay", "MailRelay.csproj"));

        Assert.Contains("-r linux-x64 --self-contained -p:PublishSingleFile=true", command, StringComparison.Ordinal);
        Assert.Contains("one executable, `out/MailRelay`", command, StringComparison.Ordinal);
        Assert.Contains("not trimmed", command, StringComparison.Ordinal);
        Assert.DoesNotContain("PublishTrimmed", project, StringComparison.Ordinal);
        Assert.DoesNotContain("PublishTrimmed", command, StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_runs_the_framework_dependent_build_on_a_base_that_has_its_runtimes()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "docker", "Dockerfile"));

        Assert.Contains("--self-contained false", dockerfile, StringComparison.Ordinal);
        // The ASP.NET Core runtime images carry both shared frameworks the runtimeconfig names.
        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/aspnet:\$\{RUNTIME_TAG\} AS runtime$", dockerfile);
        Assert.Contains("what the container image ships", Sentence("dotnet publish src/MailRelay -c Release -o out"), StringComparison.Ordinal);
    }

    /// <summary>The README's sentence (up to the next full stop followed by a space or line end) that holds <paramref name="text"/>.</summary>
    private static string Sentence(string text)
    {
        var at = Readme.IndexOf(text, StringComparison.Ordinal);
        Assert.True(at >= 0, $"README.md no longer mentions '{text}'");
        var start = Readme.LastIndexOf(". ", at, StringComparison.Ordinal);
        start = Math.Max(start, Readme.LastIndexOf("\n\n", at, StringComparison.Ordinal));
        var end = SentenceEnd().Match(Readme, at);
        return Readme[(start + 1)..(end.Success ? end.Index + 1 : Readme.Length)];
    }

    [GeneratedRegex(@"\.(?=\s)")]
    private static partial Regex SentenceEnd();
}
