using System.Net;
using System.Net.Sockets;
using MailRelay.Cli;
using MailRelay.Tests.Integration;

namespace MailRelay.Tests.Cli;

/// <summary><c>MailRelay health</c>: the container's HEALTHCHECK asks the daemon's own admin listener.</summary>
public sealed class HealthCommandTests
{
    [Fact]
    public async Task A_running_daemon_is_healthy_and_ready()
    {
        await using var relay = await InProcessRelay.StartAsync();
        var environment = new Dictionary<string, string?> { ["ADMIN_LISTEN"] = relay.AdminEndPoint.ToString() };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var health = await CommandLine.RunAsync(["health"], environment, stdout, stderr);
        var ready = await CommandLine.RunAsync(["health", "--ready"], environment, stdout, stderr);

        Assert.Equal(0, health);
        Assert.Equal(0, ready);
        Assert.Contains($"http://{relay.AdminEndPoint}/healthz: ok", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains($"http://{relay.AdminEndPoint}/readyz: ready", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listener_on_every_address_is_asked_on_loopback()
    {
        await using var relay = await InProcessRelay.StartAsync(new Dictionary<string, string?> { ["ADMIN_LISTEN"] = "0.0.0.0:0" });
        var environment = new Dictionary<string, string?> { ["ADMIN_LISTEN"] = $"0.0.0.0:{relay.AdminEndPoint.Port}" };
        using var stdout = new StringWriter();

        var exit = await CommandLine.RunAsync(["health"], environment, stdout, TextWriter.Null);

        Assert.Equal(0, exit);
        Assert.Contains($"http://127.0.0.1:{relay.AdminEndPoint.Port}/healthz", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_listening_or_no_admin_listener_is_unhealthy()
    {
        var closedPort = ClosedPort();
        using var stderr = new StringWriter();

        var closed = await CommandLine.RunAsync(["health"], new Dictionary<string, string?> { ["ADMIN_LISTEN"] = $"127.0.0.1:{closedPort}" }, TextWriter.Null, stderr);
        var none = await CommandLine.RunAsync(["health"], new Dictionary<string, string?> { ["ADMIN_LISTEN"] = "none" }, TextWriter.Null, stderr);

        Assert.Equal(CommandLine.ExitError, closed);
        Assert.Equal(CommandLine.ExitError, none);
        Assert.Contains($"127.0.0.1:{closedPort}/healthz: no answer", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("ADMIN_LISTEN is none", stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("health", "--live")]
    [InlineData("health", "--ready", "now")]
    public async Task Other_arguments_get_the_commands_usage(params string[] args)
    {
        using var stderr = new StringWriter();

        var exit = await CommandLine.RunAsync(args, new Dictionary<string, string?>(), TextWriter.Null, stderr);

        Assert.Equal(CommandLine.ExitUsage, exit);
        Assert.Equal($"MailRelay health: unexpected argument '{args[^1]}'.\nUsage: MailRelay health [--ready]", stderr.ToString().Trim().ReplaceLineEndings("\n"));
    }

    /// <summary>A loopback port that was free a moment ago and has no listener now.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
