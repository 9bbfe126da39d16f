using System.Text.RegularExpressions;

namespace MailRelay.Tests.Support;

/// <summary>
/// The image as <c>docker run</c> users meet it, read from docker/Dockerfile (no Docker engine here): a health check
/// that works without a shell, every port the chart's listeners use exposed, no debug files shipped, and stop
/// timeouts in the documented commands that outlast the relay's own drain.
/// </summary>
public sealed partial class ContainerImageTests
{
    private static readonly string Root = RepositoryRoot.Find();
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(Root, "docker", "Dockerfile"));

    [Fact]
    public void The_health_check_runs_the_binarys_own_health_command()
    {
        Assert.Matches(@"(?m)^HEALTHCHECK .*CMD \[""/app/MailRelay"", ""health""\]$", Dockerfile);
    }

    [Fact]
    public void Every_container_port_of_the_chart_is_exposed()
    {
        var values = File.ReadAllText(Path.Combine(Root, "chart", "values.yaml"));
        var chartPorts = ContainerPort().Matches(values).Select(m => m.Groups[1].Value).Append(AdminPort().Match(values).Groups[1].Value).ToHashSet();
        var exposed = Regex.Match(Dockerfile, @"(?m)^EXPOSE (.+)$").Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(4, chartPorts.Count);
        Assert.Subset(exposed.ToHashSet(), chartPorts);
    }

    [Fact]
    public void The_image_ships_no_debug_symbols_or_xml_docs()
    {
        Assert.Contains("-p:DebugType=none", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("-p:PublishDocumentationFile=false", Dockerfile, StringComparison.Ordinal);
        Assert.Contains("-p:PublishReferencesDocumentationFiles=false", Dockerfile, StringComparison.Ordinal);

        // Turning the documentation file off altogether would break the build: the analyzers need it (IDE0005).
        Assert.DoesNotContain("GenerateDocumentationFile=false", Dockerfile, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/kubernetes.md")]
    public void Documented_docker_run_commands_wait_longer_than_the_drain(string document)
    {
        var text = File.ReadAllText(Path.Combine(Root, document));
        var runs = Regex.Matches(text, @"docker run -d[^\n]*").Select(m => m.Value).ToList();

        Assert.NotEmpty(runs);
        Assert.All(runs, run => Assert.True(
            Regex.Match(run, @"--stop-timeout (\d+)") is { Success: true } timeout && int.Parse(timeout.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 30,
            $"'{run}' lets Docker kill the relay before SHUTDOWN_TIMEOUT (30 s) is over"));
    }

    [Fact]
    public void The_build_context_keeps_every_embedded_resource_whatever_the_case_of_its_folders()
    {
        var project = File.ReadAllText(Path.Combine(Root, "src", "MailRelay", "MailRelay.csproj"));
        var resources = Regex.Matches(project, @"EmbeddedResource Include=""([^""]+)""").Select(m => "src/MailRelay/" + m.Groups[1].Value.Replace('\\', '/')).ToList();
        var patterns = File.ReadAllLines(Path.Combine(Root, "docker", "Dockerfile.dockerignore"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        Assert.NotEmpty(resources);
        Assert.All(resources, resource => Assert.DoesNotContain(patterns, pattern => Excludes(pattern, resource)));
    }

    /// <summary>Whether a .dockerignore pattern would drop <paramref name="path"/>, compared without case (a case-insensitive file system or a renamed folder must not change what is built).</summary>
    private static bool Excludes(string pattern, string path)
    {
        var glob = pattern.TrimStart('/');
        var directory = glob.EndsWith('/');
        var expression = "^" + Regex.Escape(glob.TrimEnd('/')).Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + (directory ? "/" : "($|/)");
        return Regex.IsMatch(path, expression, RegexOptions.IgnoreCase);
    }

    [GeneratedRegex(@"(?m)^\s+containerPort: (\d+)$")]
    private static partial Regex ContainerPort();

    [GeneratedRegex(@"(?m)^admin:\s*\n(?:\s+##[^\n]*\n)*\s+port: (\d+)$")]
    private static partial Regex AdminPort();
}
